// What the delivery flow (../delivery.ts) needs of each kind of deliverable. The flow owns the
// order: the final picture, the order's state, the retry of a run that threw, the refund; a
// handler owns its own row and side effect, and stores its idempotency key before that effect.
import type { Package } from '../../../../shared/contract';
import type { OrderDeps } from '../context';
import type { DeliverableRow } from '../repo';
import type { DeliverableKind } from './kinds';

/** What a run of the order's delivery hands each handler. */
export interface DeliveryRun {
  orderId: string;
  /** The delivered picture on disk (labelled). */
  finalPath: string;
  /** The order's phone-share folder, when a planned kind uses it. */
  shareKey: string | null;
}

export interface HandlerContext {
  deps: OrderDeps;
  /** The order view changed: push it to the kiosk screen. */
  changed(orderId: string): Promise<unknown>;
}

/** Columns of the row a handler plans (the rest start at their defaults). */
export interface DeliverablePlan {
  quantity?: number;
  job_key?: string | null;
}

export interface DeliverableHandler {
  readonly kind: DeliverableKind;
  /** Whether it puts files in the order's phone-share folder (the folder and a download token are made for it). */
  readonly usesShare: boolean;
  /** Runs beside the others and never holds up the order (the living photo). */
  readonly background: boolean;
  /**
   * When set, a `false` from run() has failed the order: it is refunded with this reason and
   * customer notice. Unset: a failure is the handler's own business (retried, or shown as such).
   */
  readonly failsOrder?: { reason: string; notice: string };
  /**
   * What a paid order of this package gets of this kind, or null when nothing. Runs inside the
   * paid → delivering transaction, before any side effect.
   */
  plan(orderId: string, pkg: Package | undefined): DeliverablePlan | null;
  /** Whether the row still needs a run when the order's delivery (re)starts. */
  due(row: DeliverableRow): boolean;
  /** Delivers it (resuming from its row). true: done, or left to its own retry; false: failed. */
  run(row: DeliverableRow, run: DeliveryRun): Promise<boolean>;
  /** Shutting down: abandon background work (the next start resumes it). */
  stop?(): void;
}
