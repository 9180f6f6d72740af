// The one contract between the kiosk UI and the main process (ARCHITECTURE.md §3).
// Both hosts bind every call listed here: Electron over ipcMain.handle, the browser host over
// HTTP POST /api/<name>. Events flow the other way (IPC send / WebSocket). Pure TS: zod only.
import { z } from 'zod';
import type { Result } from './result';

// ---------------------------------------------------------------- shared shapes

export const Lang = z.enum(['zh', 'en']);
export type Lang = z.infer<typeof Lang>;

export const Text = z.object({ zh: z.string(), en: z.string() });
export type Text = z.infer<typeof Text>;

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const ProductId = z.enum(['puzzle', 'makeover']);
export type ProductId = z.infer<typeof ProductId>;

export const OrderState = z.enum([
  'created',
  'checked',
  'generating',
  'generated',
  'picked',
  'awaiting_payment',
  'paid',
  'delivering',
  'delivered',
  'abandoned',
  'payment_closed',
  'delivery_failed',
  'refund_pending',
  'refunded',
]);
export type OrderState = z.infer<typeof OrderState>;

export const Reason = z.object({ code: z.string(), message: z.string() });
export type Reason = z.infer<typeof Reason>;

export const FaceBox = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number(), score: z.number() });
export type FaceBox = z.infer<typeof FaceBox>;

export const Product = z.object({
  id: ProductId,
  name: Text,
  description: Text,
  enabled: z.boolean(),
  /** How many photos the product takes (时空拼图: several people photographed separately). */
  minPhotos: z.number().int().min(1),
  maxPhotos: z.number().int().min(1).max(6),
});
export type Product = z.infer<typeof Product>;

export const Outfit = z.object({ id: Id, name: Text });
export type Outfit = z.infer<typeof Outfit>;

export const Style = z.object({
  id: Id,
  name: Text,
  enabled: z.boolean(),
  products: z.array(ProductId).min(1),
  outfits: z.array(Outfit),
  /** Two colours for the tile on the style screen and the local generator's template. */
  palette: z.tuple([z.string(), z.string()]),
});
export type Style = z.infer<typeof Style>;

export const Package = z.object({
  id: Id,
  name: Text,
  priceFen: z.number().int().min(0),
  print: z.boolean(),
  copies: z.number().int().min(0).max(10),
  download: z.boolean(),
  motion: z.boolean(),
  enabled: z.boolean(),
});
export type Package = z.infer<typeof Package>;

export const Catalog = z.object({
  products: z.array(Product),
  styles: z.array(Style),
  packages: z.array(Package),
  settings: z.object({
    idleTimeoutSec: z.number().int(),
    paymentTimeoutSec: z.number().int(),
    regenerationsAllowed: z.number().int(),
    printerReady: z.boolean(),
    printerMessage: z.string().optional(),
    host: z.enum(['electron', 'browser']),
    version: z.string(),
  }),
});
export type Catalog = z.infer<typeof Catalog>;

export const PhotoView = z.object({
  id: z.string(),
  source: z.enum(['camera', 'phone']),
  assetId: z.string(),
  ok: z.boolean(),
  faces: z.array(FaceBox),
  reasons: z.array(Reason),
  width: z.number().int(),
  height: z.number().int(),
});
export type PhotoView = z.infer<typeof PhotoView>;

export const VariantView = z.object({
  index: z.number().int(),
  status: z.enum(['pending', 'ready', 'rejected', 'failed']),
  /** Watermarked preview until the order is paid. */
  assetId: z.string().optional(),
});
export type VariantView = z.infer<typeof VariantView>;

export const PrintView = z.object({
  status: z.enum(['queued', 'printing', 'done', 'failed']),
  progress: z.number().min(0).max(1),
  copies: z.number().int(),
  message: z.string().optional(),
});

export const OrderView = z.object({
  id: z.string(),
  state: OrderState,
  productId: ProductId.nullable(),
  styleId: z.string().nullable(),
  outfitId: z.string().nullable(),
  photos: z.array(PhotoView),
  variants: z.array(VariantView),
  generation: z.object({
    status: z.enum(['idle', 'running', 'done', 'failed']),
    message: z.string().optional(),
    regenerationsLeft: z.number().int(),
  }),
  pickedIndex: z.number().int().nullable(),
  packageId: z.string().nullable(),
  amountFen: z.number().int().nullable(),
  payment: z
    .object({
      free: z.boolean(),
      codeUrl: z.string().optional(),
      qrSvg: z.string().optional(),
      expiresAt: z.string().optional(),
    })
    .nullable(),
  delivery: z
    .object({
      print: PrintView.nullable(),
      download: z.object({ url: z.string(), qrSvg: z.string(), expiresAt: z.string() }).nullable(),
      motion: z.object({ status: z.enum(['pending', 'ready', 'failed']) }).nullable(),
    })
    .nullable(),
  /** Set when the customer should be told something (Chinese first); e.g. a refund. */
  notice: z.string().nullable(),
  updatedAt: z.string(),
});
export type OrderView = z.infer<typeof OrderView>;

export const Guidance = z.object({
  faces: z.number().int(),
  /** One hint code: OK, NO_FACE, MOVE_CLOSER, TOO_DARK, TOO_BRIGHT, LOOK_AT_CAMERA, TOO_MANY. */
  hint: z.string(),
  message: z.string(),
});
export type Guidance = z.infer<typeof Guidance>;

export const UploadLink = z.object({ url: z.string(), qrSvg: z.string(), expiresAt: z.string() });
export type UploadLink = z.infer<typeof UploadLink>;

const OrderRef = z.object({ orderId: Id });
/** A camera still or phone upload travels as base64 (JPEG/PNG); 20 MB of image at most. */
const ImageData = z.string().min(16).max(28_000_000);

// ---------------------------------------------------------------- calls

export const calls = {
  'app:get-catalog': { input: z.object({}), output: Catalog },
  'session:accept-consent': { input: z.object({ lang: Lang, consent: z.literal(true) }), output: OrderView },
  'order:get': { input: OrderRef, output: OrderView },
  'order:choose-product': {
    input: OrderRef.extend({ productId: ProductId, styleId: Id, outfitId: Id.nullable() }),
    output: OrderView,
  },
  'capture:add-photo': { input: OrderRef.extend({ image: ImageData }), output: OrderView },
  'capture:remove-photo': { input: OrderRef.extend({ photoId: Id }), output: OrderView },
  'capture:guide-frame': { input: z.object({ image: z.string().min(16).max(2_000_000) }), output: Guidance },
  'capture:phone-upload-link': { input: OrderRef, output: UploadLink },
  'generate:start': { input: OrderRef, output: OrderView },
  'generate:regenerate': { input: OrderRef, output: OrderView },
  'order:pick-variant': { input: OrderRef.extend({ index: z.number().int().min(0).max(7) }), output: OrderView },
  'payment:start': { input: OrderRef.extend({ packageId: Id }), output: OrderView },
  'payment:cancel': { input: OrderRef, output: OrderView },
  'order:abandon': { input: OrderRef, output: OrderView },
} as const;

export type CallName = keyof typeof calls;
export type CallInput<N extends CallName> = z.input<(typeof calls)[N]['input']>;
export type CallOutput<N extends CallName> = z.infer<(typeof calls)[N]['output']>;
export const callNames = Object.keys(calls) as CallName[];

// ---------------------------------------------------------------- events (main → UI)

export const events = {
  'order:changed': OrderView,
  'capture:photo-uploaded': z.object({ orderId: z.string(), photo: PhotoView }),
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export const eventNames = Object.keys(events) as EventName[];

// ---------------------------------------------------------------- the bridge the renderer sees

/** What `window.kiosk` (Electron preload) and the HTTP bridge (browser host) both implement. */
export interface KioskApi {
  readonly host: 'electron' | 'browser';
  invoke<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>>;
  /** Subscribe to an event; returns the unsubscribe function (fits a React effect cleanup). */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** URL the renderer may put in <img src> for an asset the main process handed out. */
  mediaUrl(assetId: string): string;
}

export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && name in calls;
