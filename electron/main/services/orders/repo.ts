// Row types and queries for orders and what hangs off them. No business rules here.
import { randomBytes, randomInt } from 'node:crypto';
import type { FaceBox, Lang, OrderState, Reason } from '../../../shared/contract';
import type { Db } from '../store/db';
import type { DeliverableKind, DeliverableStatus } from './deliverables/kinds';

export const newId = (prefix: string): string => `${prefix}_${randomBytes(9).toString('base64url')}`;
/** Capability tokens for phone URLs: 128 bits and more, URL-safe. */
export const newToken = (): string => randomBytes(18).toString('base64url');
export const nowIso = (): string => new Date().toISOString();

export interface OrderRow {
  id: string;
  state: OrderState;
  lang: Lang;
  product_id: string | null;
  style_id: string | null;
  outfit_id: string | null;
  seed: number;
  generation_status: 'idle' | 'running' | 'done' | 'failed';
  generation_message: string | null;
  generation_round: number;
  regenerations_used: number;
  picked_index: number | null;
  package_id: string | null;
  amount_fen: number | null;
  notice: string | null;
  motion_effect: string | null;
  free_blocked: string | null;
  /** The delivered picture (labelled, unwatermarked unless the package says so): every deliverable starts from it. */
  final_asset_id: string | null;
  /** The order's folder in the phone share (unguessable, 128-bit random part); null when nothing is shared. */
  share_key: string | null;
  /** Runs of the delivery that threw (full disk, …); the sweeper retries until the back-off runs out. */
  delivery_attempts: number;
  /** When the sweeper may run the delivery again (ISO); null while nothing failed. */
  delivery_retry_at: string | null;
  /** What the last failed run threw (code or message; never customer data). */
  delivery_error: string | null;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface PhotoRow {
  id: string;
  order_id: string;
  source: 'camera' | 'phone';
  asset_id: string;
  ok: number;
  faces_json: string;
  reasons_json: string;
  width: number;
  height: number;
  removed: number;
  created_at: string;
}

export interface VariantRow {
  order_id: string;
  round: number;
  idx: number;
  status: 'pending' | 'ready' | 'rejected' | 'failed';
  seed: number;
  result_asset_id: string | null;
  preview_asset_id: string | null;
}

export interface PaymentRow {
  out_trade_no: string;
  order_id: string;
  provider: string;
  amount_fen: number;
  /** disputed: the provider said paid but not for the amount asked (or without one): the operator must look. */
  state: 'creating' | 'open' | 'paid' | 'closing' | 'closed' | 'failed' | 'disputed';
  code_url: string | null;
  expires_at: string;
  transaction_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface RefundRow {
  out_refund_no: string;
  order_id: string;
  out_trade_no: string;
  amount_fen: number;
  reason: string;
  actor: string;
  state: 'pending' | 'processing' | 'success' | 'failed';
  created_at: string;
  updated_at: string;
}

/** One thing a paid order delivers (deliverables/kinds.ts); its progress survives a restart. */
export interface DeliverableRow {
  order_id: string;
  kind: DeliverableKind;
  status: DeliverableStatus;
  /** Idempotency key of the side effect (the print job key), stored before the side effect runs. */
  job_key: string | null;
  attempts: number;
  /** Print copies; later, items of a physical product. */
  quantity: number;
  /** The outside system's id for it (the spooler's job id). */
  external_ref: string | null;
  /** Where the family fetches it (the OSS download page). */
  url: string | null;
  /** What the kiosk screen says about it (Chinese). */
  message: string | null;
  created_at: string;
  updated_at: string;
}

export type DeliverableChange = Partial<Pick<DeliverableRow, 'status' | 'job_key' | 'attempts' | 'quantity' | 'external_ref' | 'url' | 'message'>>;

export interface AssetRow {
  id: string;
  order_id: string;
  kind: string;
  path: string;
  mime: string;
  created_at: string;
  deleted_at: string | null;
}

export interface TokenRow {
  token: string;
  purpose: 'pay' | 'download' | 'upload';
  order_id: string;
  ref: string | null;
  expires_at: string;
  uses: number;
  created_at: string;
}

export class OrdersRepo {
  constructor(readonly db: Db) {}

  createOrder(lang: Lang): OrderRow {
    const id = newId('ord');
    const now = nowIso();
    this.db
      .prepare('INSERT INTO orders (id, state, lang, seed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, 'created', lang, randomInt(1, 2_000_000_000), now, now);
    return this.order(id)!;
  }

  order(id: string): OrderRow | undefined {
    return this.db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
  }

  ordersIn(states: readonly OrderState[]): OrderRow[] {
    const marks = states.map(() => '?').join(',');
    return this.db.prepare(`SELECT * FROM orders WHERE state IN (${marks}) ORDER BY created_at`).all(...states) as OrderRow[];
  }

  update(id: string, set: Record<string, string | number | null>): void {
    const keys = Object.keys(set);
    for (const k of keys) if (!/^[a-z_]+$/.test(k)) throw new Error(`bad column ${k}`);
    const sql = `UPDATE orders SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`;
    this.db.prepare(sql).run(...keys.map((k) => set[k] ?? null), nowIso(), id);
  }

  addAsset(orderId: string, kind: string, path: string, mime: string, id = newId('ast')): AssetRow {
    this.db
      .prepare('INSERT INTO assets (id, order_id, kind, path, mime, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, orderId, kind, path, mime, nowIso());
    return this.asset(id)!;
  }

  asset(id: string): AssetRow | undefined {
    return this.db.prepare('SELECT * FROM assets WHERE id = ?').get(id) as AssetRow | undefined;
  }

  assetsOf(orderId: string): AssetRow[] {
    return this.db.prepare('SELECT * FROM assets WHERE order_id = ? AND deleted_at IS NULL').all(orderId) as AssetRow[];
  }

  addPhoto(p: Omit<PhotoRow, 'created_at' | 'removed'>): void {
    this.db
      .prepare(
        `INSERT INTO photos (id, order_id, source, asset_id, ok, faces_json, reasons_json, width, height, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.id, p.order_id, p.source, p.asset_id, p.ok, p.faces_json, p.reasons_json, p.width, p.height, nowIso());
  }

  photos(orderId: string): PhotoRow[] {
    return this.db
      .prepare('SELECT * FROM photos WHERE order_id = ? AND removed = 0 ORDER BY created_at, rowid')
      .all(orderId) as PhotoRow[];
  }

  variants(orderId: string, round: number): VariantRow[] {
    return this.db
      .prepare('SELECT * FROM variants WHERE order_id = ? AND round = ? ORDER BY idx')
      .all(orderId, round) as VariantRow[];
  }

  upsertVariant(v: VariantRow): void {
    this.db
      .prepare(
        `INSERT INTO variants (order_id, round, idx, status, seed, result_asset_id, preview_asset_id)
         VALUES (@order_id, @round, @idx, @status, @seed, @result_asset_id, @preview_asset_id)
         ON CONFLICT(order_id, round, idx) DO UPDATE SET status = excluded.status, seed = excluded.seed,
           result_asset_id = excluded.result_asset_id, preview_asset_id = excluded.preview_asset_id`,
      )
      .run(v);
  }

  payments(orderId: string): PaymentRow[] {
    return this.db.prepare('SELECT * FROM payments WHERE order_id = ? ORDER BY created_at, rowid').all(orderId) as PaymentRow[];
  }

  payment(outTradeNo: string): PaymentRow | undefined {
    return this.db.prepare('SELECT * FROM payments WHERE out_trade_no = ?').get(outTradeNo) as PaymentRow | undefined;
  }

  paymentsIn(states: PaymentRow['state'][]): PaymentRow[] {
    const marks = states.map(() => '?').join(',');
    return this.db.prepare(`SELECT * FROM payments WHERE state IN (${marks})`).all(...states) as PaymentRow[];
  }

  setPayment(outTradeNo: string, set: Partial<Pick<PaymentRow, 'state' | 'code_url' | 'transaction_id'>>): void {
    const keys = Object.keys(set) as (keyof typeof set)[];
    const sql = `UPDATE payments SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE out_trade_no = ?`;
    this.db.prepare(sql).run(...keys.map((k) => set[k] ?? null), nowIso(), outTradeNo);
  }

  insertPayment(p: Omit<PaymentRow, 'created_at' | 'updated_at' | 'transaction_id' | 'code_url'>): void {
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO payments (out_trade_no, order_id, provider, amount_fen, state, expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.out_trade_no, p.order_id, p.provider, p.amount_fen, p.state, p.expires_at, now, now);
  }

  refundOf(outTradeNo: string): RefundRow | undefined {
    return this.db.prepare('SELECT * FROM refunds WHERE out_trade_no = ?').get(outTradeNo) as RefundRow | undefined;
  }

  refundsIn(states: RefundRow['state'][]): RefundRow[] {
    const marks = states.map(() => '?').join(',');
    return this.db.prepare(`SELECT * FROM refunds WHERE state IN (${marks})`).all(...states) as RefundRow[];
  }

  insertRefund(r: Omit<RefundRow, 'created_at' | 'updated_at'>): void {
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO refunds (out_refund_no, order_id, out_trade_no, amount_fen, reason, actor, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.out_refund_no, r.order_id, r.out_trade_no, r.amount_fen, r.reason, r.actor, r.state, now, now);
  }

  setRefund(outRefundNo: string, state: RefundRow['state']): void {
    this.db.prepare('UPDATE refunds SET state = ?, updated_at = ? WHERE out_refund_no = ?').run(state, nowIso(), outRefundNo);
  }

  /** The order's deliverables in the order they were planned. */
  deliverables(orderId: string): DeliverableRow[] {
    return this.db.prepare('SELECT * FROM deliverables WHERE order_id = ? ORDER BY rowid').all(orderId) as DeliverableRow[];
  }

  deliverable(orderId: string, kind: DeliverableKind): DeliverableRow | undefined {
    return this.db.prepare('SELECT * FROM deliverables WHERE order_id = ? AND kind = ?').get(orderId, kind) as DeliverableRow | undefined;
  }

  /** Writes the row, or starts it over when it exists (a reprint): the given fields, the rest reset. */
  putDeliverable(orderId: string, kind: DeliverableKind, set: DeliverableChange = {}): void {
    const now = nowIso();
    const row = { status: 'pending', job_key: null, attempts: 0, quantity: 1, external_ref: null, url: null, message: null, ...set };
    this.db
      .prepare(
        `INSERT INTO deliverables (order_id, kind, status, job_key, attempts, quantity, external_ref, url, message, created_at, updated_at)
         VALUES (@order_id, @kind, @status, @job_key, @attempts, @quantity, @external_ref, @url, @message, @now, @now)
         ON CONFLICT(order_id, kind) DO UPDATE SET status = excluded.status, job_key = excluded.job_key,
           attempts = excluded.attempts, quantity = excluded.quantity, external_ref = excluded.external_ref,
           url = excluded.url, message = excluded.message, updated_at = excluded.updated_at`,
      )
      .run({ ...row, order_id: orderId, kind, now });
  }

  setDeliverable(orderId: string, kind: DeliverableKind, set: DeliverableChange): void {
    const keys = Object.keys(set) as (keyof DeliverableChange)[];
    const sql = `UPDATE deliverables SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE order_id = ? AND kind = ?`;
    this.db.prepare(sql).run(...keys.map((k) => set[k] ?? null), nowIso(), orderId, kind);
  }

  addToken(purpose: TokenRow['purpose'], orderId: string, ttlSec: number, ref: string | null = null): TokenRow {
    const token = newToken();
    const expires = new Date(Date.now() + ttlSec * 1000).toISOString();
    this.db
      .prepare('INSERT INTO tokens (token, purpose, order_id, ref, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(token, purpose, orderId, ref, expires, nowIso());
    return this.db.prepare('SELECT * FROM tokens WHERE token = ?').get(token) as TokenRow;
  }

  /** The token row when it exists, has the purpose and has not expired; otherwise undefined. */
  liveToken(token: string, purpose: TokenRow['purpose'], now = new Date()): TokenRow | undefined {
    const row = this.db.prepare('SELECT * FROM tokens WHERE token = ? AND purpose = ?').get(token, purpose) as TokenRow | undefined;
    if (!row || new Date(row.expires_at) <= now) return undefined;
    return row;
  }

  tokenFor(orderId: string, purpose: TokenRow['purpose']): TokenRow | undefined {
    return this.db
      .prepare('SELECT * FROM tokens WHERE order_id = ? AND purpose = ? ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(orderId, purpose) as TokenRow | undefined;
  }

  /**
   * Takes one use of a live token in a single statement (check and count together), so uses
   * that arrive at once can never exceed `max`. False when the token is spent, expired or unknown.
   */
  claimTokenUse(token: string, purpose: TokenRow['purpose'], max: number, now = new Date()): boolean {
    return (
      this.db
        .prepare('UPDATE tokens SET uses = uses + 1 WHERE token = ? AND purpose = ? AND uses < ? AND expires_at > ?')
        .run(token, purpose, max, now.toISOString()).changes === 1
    );
  }

  useToken(token: string): void {
    this.db.prepare('UPDATE tokens SET uses = uses + 1 WHERE token = ?').run(token);
  }

  audit(actor: string, action: string, orderId: string | null, details: Record<string, unknown> = {}): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, order_id, details_json) VALUES (?, ?, ?, ?, ?)')
      .run(nowIso(), actor, action, orderId, JSON.stringify(details));
  }
}

export const parseFaces = (json: string): FaceBox[] => JSON.parse(json) as FaceBox[];
export const parseReasons = (json: string): Reason[] => JSON.parse(json) as Reason[];
