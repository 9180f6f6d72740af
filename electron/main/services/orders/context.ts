// What the order flow needs from the rest of the kiosk, injected so tests can replace any of it.
import type { EventName, EventPayload, FaceBox, Package, Product, Style } from '../../../shared/contract';
import type { DataPaths } from '../../infra/paths';
import type { ChecksService } from '../checks/types';
import type { KioskConfig } from '../config';
import type { GeneratedVariant, GenerateInput, Generator, VariantFailure } from '../generator/types';
import type { MotionRenderer } from '../motion/types';
import type { PaymentProvider } from '../payment/types';
import type { PrinterStatus, PrintSubmit } from '../print/types';
import type { ShareStore } from '../share/types';
import type { Db } from '../store/db';
import type { OrdersRepo } from './repo';

export interface Catalog {
  products: Product[];
  styles: Style[];
  packages: Package[];
}

/** The four-variant runner (generator/variants.ts): parallel requests, quality gate, one supplementary request. */
export type RunVariants = (opts: {
  generator: Generator;
  input: Omit<GenerateInput, 'indices' | 'signal'>;
  count: number;
  signal: AbortSignal;
  gate?: (image: Buffer, family: { faces: number; minFacePx: number }) => Promise<{ ok: boolean; reason?: string }>;
  onVariant: (v: GeneratedVariant) => void;
  onRejected?: (index: number, reason: string) => void;
}) => Promise<{ delivered: number[]; failures: VariantFailure[]; requests: number; retries: number; rejected: number }>;

/**
 * The print spooler (print/printQueue.ts): one job at a time, a jobKey printed at most once ever
 * (the same key returns the same outcome, also after a restart), paper counted.
 */
export interface PrintSpooler {
  readiness(copies?: number): Promise<PrinterStatus>;
  print(job: PrintSubmit): Promise<{ ok: boolean; systemJobId: string | null; error?: { code: string; message: string } }>;
  view(jobKey: string): { status: 'queued' | 'printing' | 'done' | 'failed'; progress: number; message?: string } | null;
}

export interface PrintLayout {
  (opts: { image: Buffer; outPath: string; blessing?: string; dateLine?: string; qrText?: string }): Promise<{
    pdfPath: string;
    widthIn: number;
    heightIn: number;
  }>;
}

export interface OrderDeps {
  db: Db;
  repo: OrdersRepo;
  config: KioskConfig;
  catalog: () => Catalog;
  paths: DataPaths;
  checks: ChecksService;
  generator: Generator;
  runVariants: RunVariants;
  gate?: (image: Buffer, family: { faces: number; minFacePx: number }) => Promise<{ ok: boolean; reason?: string }>;
  /** The configured payment provider: new trades go here unless the family chose another method. */
  payment: PaymentProvider;
  /**
   * Every other provider the kiosk can still reach (a second method on the pay screen, or the one
   * configured before a switch while its trades are open). Calls on a trade go to its own provider.
   */
  payments?: PaymentProvider[];
  /** The methods offered on the pay screen, in order (default: the configured provider only). */
  paymentMethods?: () => string[];
  printer: PrintSpooler;
  /** Renders the print page; `media` is the paper the spooler is told about. */
  printLayout: PrintLayout;
  printMedia: { widthIn: number; heightIn: number };
  share: ShareStore;
  motion: MotionRenderer | null;
  /**
   * The paid AI provider's budget (daily spend, per-order cap): asked before each generation round
   * so a spent budget is said before any request; a round that produced nothing is forgiven.
   */
  aiBudget?: { startGeneration(orderId: string): void; forgiveGeneration(orderId: string): void };
  /** Watermarked, low-resolution preview for the pick screen. */
  watermarkPreview: (image: Buffer) => Promise<Buffer>;
  /** The delivered picture: visible "AI生成" mark + implicit AIGC metadata. */
  labelDelivered: (image: Buffer, opts: { orderId: string; provider: string }) => Promise<Buffer>;
  /** Base URL of the phone listener (QR codes point here). */
  phoneBaseUrl: () => string;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** Poll intervals, shortened by tests. */
  timing?: Partial<Timing>;
}

export interface Timing {
  /** Payment status poll interval while the QR is fresh, then after a minute. */
  pollFastMs: number;
  pollSlowMs: number;
  /** Back-off between retries of a payment call that failed with a transient error. */
  retryMs: number;
  /** When a refund answered PROCESSING, ask again after this long. */
  refundRecheckMs: number;
  /**
   * Waits before each retry of a delivery that threw (full disk, a missing file…): one entry per
   * retry; when they are used up the order is refunded. The sweeper runs the retries.
   */
  deliveryBackoffMs: readonly number[];
  /** A `delivering` order untouched this long is flagged for the operator (who may then refund it). */
  deliveryStaleMs: number;
}

export const defaultTiming: Timing = {
  pollFastMs: 1000,
  pollSlowMs: 2000,
  retryMs: 2000,
  refundRecheckMs: 5000,
  deliveryBackoffMs: [30_000, 120_000, 600_000],
  deliveryStaleMs: 15 * 60_000,
};

export const facesOf = (json: string): FaceBox[] => JSON.parse(json) as FaceBox[];
