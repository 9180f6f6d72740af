// The one contract between the kiosk UI and the main process (ARCHITECTURE.md §3).
// Both hosts bind every call listed here: Electron over ipcMain.handle, the browser host over
// HTTP POST /api/<name>. Events flow the other way (IPC send / WebSocket). Pure TS: zod only.
import { z } from 'zod';
import { ORDER_STATES } from './orderStates';
import type { Result } from './result';

// ---------------------------------------------------------------- shared shapes

export const Lang = z.enum(['zh', 'en']);
export type Lang = z.infer<typeof Lang>;

export const Text = z.object({ zh: z.string(), en: z.string() });
export type Text = z.infer<typeof Text>;

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const ProductId = z.enum(['puzzle', 'makeover']);
export type ProductId = z.infer<typeof ProductId>;

/** The states themselves and what each means live in orderStates.ts (one list). */
export const OrderState = z.enum(ORDER_STATES);
export type OrderState = z.infer<typeof OrderState>;

/**
 * A check finding. kind 'advice' (turned head, a little dark, slightly soft …) is shown with
 * "仍然使用" and never blocks; 'refusal' (or no kind: older rows, host errors) means the photo is
 * not used. The list of codes and kinds: native/face/findings.ts.
 */
export const Reason = z.object({ code: z.string(), message: z.string(), kind: z.enum(['refusal', 'advice']).optional() });
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
  /** A sample result in assets/samples/ shown on the style's tile. */
  sample: z.string().regex(/^[\w.-]+\.(jpg|jpeg|png|webp)$/).optional(),
});
export type Style = z.infer<typeof Style>;

export const PackageModel = z.enum(['standard', 'enhanced']);
export type PackageModel = z.infer<typeof PackageModel>;

export const Package = z.object({
  id: Id,
  name: Text,
  priceFen: z.number().int().min(0),
  print: z.boolean(),
  copies: z.number().int().min(0).max(10),
  download: z.boolean(),
  motion: z.boolean(),
  enabled: z.boolean(),
  /** AI pictures the family chooses from: 1 (the free try itself) or 4 (the try plus three after payment). */
  variants: z.union([z.literal(1), z.literal(4)]).default(4),
  /** The delivered picture keeps the preview watermark (the free take-away). */
  watermark: z.boolean().default(false),
  /** enhanced: the provider's higher-quality model and settings (Jimeng: config jimeng.enhanced). */
  model: PackageModel.default('standard'),
});
export type Package = z.infer<typeof Package>;

/** The 微动态 effects a family may choose when the package includes the living photo. */
export const MotionEffect = z.enum(['fireworks', 'lanterns', 'snow', 'fu']);
export type MotionEffect = z.infer<typeof MotionEffect>;
/** How the family pays (payment:start); the id also names the provider a trade belongs to. */
export const PaymentMethodId = z.enum(['wechatpay', 'alipay', 'simulated']);
export type PaymentMethodId = z.infer<typeof PaymentMethodId>;

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
    /** The payment methods offered side by side on the pay screen, the configured one first. */
    paymentMethods: z.array(PaymentMethodId).optional(),
    host: z.enum(['electron', 'browser']),
    version: z.string(),
    /** The free try: today's budget per kiosk and what is left; when spent the free package says so. */
    free: z.object({ dailyBudget: z.number().int(), usedToday: z.number().int(), available: z.boolean(), reason: z.string().optional() }).optional(),
    /** The operator's after-sales contact, on the deliver screen, the print and the download page. */
    afterSalesContact: z.string().optional(),
    /** Who processes the photos when a cloud provider is on (the consent screen names them). */
    processors: z.array(z.object({ id: z.string(), name: Text, sends: Text })).optional(),
    /** Set while the kiosk refuses to sell (a money setting in doubt): the customer sees 暂停服务, the operator the fields. */
    saleStopped: z.object({ fields: z.array(z.string()) }).nullable().optional(),
    /** Kinds of provider running as embedded demos (simulated payment, PDF printer …): the 演示模式 ribbon shows while non-empty. */
    demo: z.array(z.string()).optional(),
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
      /** The method of the current trade (the QR shown). */
      method: PaymentMethodId.optional(),
      codeUrl: z.string().optional(),
      qrSvg: z.string().optional(),
      expiresAt: z.string().optional(),
    })
    .nullable(),
  delivery: z
    .object({
      print: PrintView.nullable(),
      download: z.object({ url: z.string(), qrSvg: z.string(), expiresAt: z.string() }).nullable(),
      /** The paid picture itself (no preview watermark), once it is ready: what the deliver screen shows. */
      photoAssetId: z.string().optional(),
      motion: z.object({ status: z.enum(['pending', 'ready', 'failed']) }).nullable(),
    })
    .nullable(),
  /** Set when the customer should be told something (Chinese first); e.g. a refund. */
  notice: z.string().nullable(),
  /** Short code the family quotes to the operator (after-sales). */
  orderCode: z.string().optional(),
  /** Why no free try was made (FREE_DAILY_SPENT, FREE_COOLDOWN): the family may still buy. */
  freeBlocked: z.string().optional(),
  /** After payment of a 4-picture package: the family chooses one of the four (and the 微动态 effect). */
  choosing: z.boolean().optional(),
  motionEffect: MotionEffect.nullable().optional(),
  updatedAt: z.string(),
});
export type OrderView = z.infer<typeof OrderView>;

export const Guidance = z.object({
  faces: z.number().int(),
  /** One hint code: OK, NO_FACE, MOVE_CLOSER, MOVE_TO_CENTER, TOO_DARK, TOO_BRIGHT, LOOK_AT_CAMERA, TOO_MANY, UNREADABLE, UNAVAILABLE. */
  hint: z.string(),
  message: z.string(),
});
export type Guidance = z.infer<typeof Guidance>;

export const UploadLink = z.object({ url: z.string(), qrSvg: z.string(), expiresAt: z.string() });
export type UploadLink = z.infer<typeof UploadLink>;

const OrderRef = z.object({ orderId: Id });
/** A camera still or phone upload travels as base64 (JPEG/PNG); 20 MB of image at most. */
const ImageData = z.string().min(16).max(28_000_000);

// ---------------------------------------------------------------- operator (admin) shapes
// Every admin call but admin:unlock carries the session token handed out by admin:unlock.

const AdminToken = z.string().min(16).max(128);
const AdminRef = z.object({ token: AdminToken });

export const HealthItemId = z.enum(['camera', 'printer', 'paper', 'network', 'generator', 'payment', 'storage', 'disk', 'clock', 'version', 'config']);
export type HealthItemId = z.infer<typeof HealthItemId>;

export const HealthItem = z.object({
  id: HealthItemId,
  status: z.enum(['ok', 'warn', 'error', 'unknown']),
  /** Machine code the screen translates (admin.health.code.<code>), e.g. OK, UNREACHABLE, CLOCK_SKEW, DISK_LOW. */
  code: z.string(),
  /** Technical detail in English (provider name, endpoint, numbers); never a secret. */
  detail: z.string(),
});
export type HealthItem = z.infer<typeof HealthItem>;

export const HealthReport = z.object({
  checkedAt: z.string(),
  items: z.array(HealthItem),
  /** Packages the kiosk cannot sell right now (network down, provider unreachable), with the reason code. */
  unavailable: z.array(z.object({ packageId: z.string(), code: z.string() })),
  paper: z.object({ capacity: z.number().int(), remaining: z.number().int(), low: z.boolean(), printedTotal: z.number().int() }),
});
export type HealthReport = z.infer<typeof HealthReport>;

/** A provider id; the allowed ids of each kind come from main's provider registry (providerOptions). */
const ProviderId = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
export const ProviderChoice = z.object({
  generator: ProviderId,
  payment: ProviderId,
  share: ProviderId,
  printer: ProviderId,
  motion: ProviderId,
});
export type ProviderChoice = z.infer<typeof ProviderChoice>;
/** One choice of the settings form, from the registry: `demo` marks the embedded stand-ins. */
export const ProviderOption = z.object({ id: ProviderId, label: z.string(), demo: z.boolean() });

/** The operator's settings with their allowed ranges (validated by main; the form shows each issue). */
export const AdminSettings = z.object({
  packages: z
    .array(
      z.object({
        id: Id,
        priceFen: z.number().int().min(0).max(100_000),
        enabled: z.boolean(),
        variants: z.union([z.literal(1), z.literal(4)]).optional(),
        watermark: z.boolean().optional(),
        motion: z.boolean().optional(),
        print: z.boolean().optional(),
        copies: z.number().int().min(0).max(10).optional(),
        model: PackageModel.optional(),
      }),
    )
    .max(20),
  styles: z.array(z.object({ id: Id, enabled: z.boolean() })).max(50),
  /** Free tries per kiosk per day (0 = none) and the pause between two of them. */
  freeDailyBudget: z.number().int().min(0).max(10_000).optional(),
  freeCooldownSec: z.number().int().min(0).max(3600).optional(),
  afterSalesContact: z.string().trim().max(60).optional(),
  idleTimeoutSec: z.number().int().min(15).max(3600),
  paymentTimeoutSec: z.number().int().min(60).max(1800),
  regenerationsAllowed: z.number().int().min(0).max(5),
  resultRetentionDays: z.number().int().min(1).max(30),
  originalRetentionHours: z.number().min(0).max(24),
  dailyRefundCapFen: z.number().int().min(0).max(10_000_000),
  blessing: z.string().trim().min(1).max(60),
  thresholds: z.object({
    minFacePx: z.number().int().min(40).max(400),
    minFaceScore: z.number().min(0.5).max(0.99),
    paperWarnBelow: z.number().int().min(0).max(1000),
    diskMinFreeMb: z.number().int().min(100).max(100_000),
  }),
  providers: ProviderChoice,
});
export type AdminSettings = z.infer<typeof AdminSettings>;

/** What the form sends: the same fields, types only; ranges are checked by main (AdminSettings). */
export const AdminSettingsDraft = z.object({
  packages: z
    .array(
      z.object({
        id: z.string().max(64),
        priceFen: z.number(),
        enabled: z.boolean(),
        variants: z.number().optional(),
        watermark: z.boolean().optional(),
        motion: z.boolean().optional(),
        print: z.boolean().optional(),
        copies: z.number().optional(),
        model: z.string().max(16).optional(),
      }),
    )
    .max(20),
  styles: z.array(z.object({ id: z.string().max(64), enabled: z.boolean() })).max(50),
  freeDailyBudget: z.number().optional(),
  freeCooldownSec: z.number().optional(),
  afterSalesContact: z.string().max(200).optional(),
  idleTimeoutSec: z.number(),
  paymentTimeoutSec: z.number(),
  regenerationsAllowed: z.number(),
  resultRetentionDays: z.number(),
  originalRetentionHours: z.number(),
  dailyRefundCapFen: z.number(),
  blessing: z.string().max(200),
  thresholds: z.object({ minFacePx: z.number(), minFaceScore: z.number(), paperWarnBelow: z.number(), diskMinFreeMb: z.number() }),
  providers: ProviderChoice,
});
export type AdminSettingsDraft = z.infer<typeof AdminSettingsDraft>;

export const SettingsIssue = z.object({
  /** Dotted path of the field, e.g. "packages.1.priceFen". */
  path: z.string(),
  rule: z.enum(['range', 'integer', 'required', 'unknown']),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type SettingsIssue = z.infer<typeof SettingsIssue>;

export const AdminSettingsView = z.object({
  settings: AdminSettings,
  /** Names for the form (catalogue data). */
  packageNames: z.record(z.string(), Text),
  styleNames: z.record(z.string(), Text),
  /** Secrets are write-only: only whether each is set. */
  secrets: z.array(z.object({ name: z.string(), set: z.boolean() })),
  secretProtection: z.enum(['encrypted', 'file-permissions']),
  /** Providers the running kiosk uses; a different saved choice applies after a restart. */
  activeProviders: ProviderChoice,
  restartRequired: z.boolean(),
  /** Free tries made today on this kiosk (shown next to the daily budget). */
  freeUsedToday: z.number().int().optional(),
  /** The choices of each kind (provider registry), default first. */
  providerOptions: z.record(z.enum(['generator', 'payment', 'share', 'printer', 'motion']), z.array(ProviderOption)),
});
export type AdminSettingsView = z.infer<typeof AdminSettingsView>;

export const AttentionCode = z.enum(['REFUND_PENDING', 'REFUND_FAILED', 'DELIVERY_FAILED', 'PRINT_FAILED', 'CLOSE_PENDING', 'GENERATION_FAILED', 'AMOUNT_MISMATCH', 'DELIVERY_STUCK']);

export const AdminOrderRow = z.object({
  id: z.string(),
  state: OrderState,
  createdAt: z.string(),
  packageId: z.string().nullable(),
  amountFen: z.number().int().nullable(),
  print: z.enum(['none', 'queued', 'submitting', 'printing', 'done', 'failed']),
  refund: z.object({ state: z.enum(['pending', 'processing', 'success', 'failed']), amountFen: z.number().int(), reason: z.string(), actor: z.string() }).nullable(),
  attention: z.array(AttentionCode),
  canReprint: z.boolean(),
  canRefund: z.boolean(),
  /** A disputed trade (paid for another amount, or none) the operator settles in the merchant platform, then marks here. */
  canResolve: z.boolean(),
});
export type AdminOrderRow = z.infer<typeof AdminOrderRow>;

export const SalesReport = z.object({
  today: z.object({ orders: z.number().int(), grossFen: z.number().int(), refundsFen: z.number().int(), netFen: z.number().int(), free: z.number().int() }),
  days: z.array(z.object({ date: z.string(), orders: z.number().int(), grossFen: z.number().int(), refundsFen: z.number().int() })),
  byPackage: z.array(z.object({ packageId: z.string(), orders: z.number().int(), grossFen: z.number().int() })),
  refunds: z.object({ count: z.number().int(), amountFen: z.number().int(), pending: z.number().int() }),
  refundCap: z.object({ capFen: z.number().int(), usedTodayFen: z.number().int() }),
});
export type SalesReport = z.infer<typeof SalesReport>;

/** The operator's chat robots for alerts (企业微信 / 钉钉 / a JSON webhook). */
export const AlertRobotKind = z.enum(['wecom', 'dingtalk', 'webhook']);
export type AlertRobotKind = z.infer<typeof AlertRobotKind>;
/** One robot as the admin screen sees it: the address masked (host and the key's last 4), never the secret. */
export const AlertRobotView = z.object({
  kind: AlertRobotKind,
  enabled: z.boolean(),
  configured: z.boolean(),
  /** e.g. "qyapi.weixin.qq.com · key …3f9a"; null when not set. */
  target: z.string().nullable(),
  secretSet: z.boolean(),
});
export type AlertRobotView = z.infer<typeof AlertRobotView>;
/** A robot's answer to the test message: OK, or its code (ERRCODE_93000, HTTP_401, NETWORK, NOT_CONFIGURED …). */
export const AlertRobotTestResult = z.object({ ok: z.boolean(), code: z.string() });
export type AlertRobotTestResult = z.infer<typeof AlertRobotTestResult>;

export const PaperView = z.object({ capacity: z.number().int(), remaining: z.number().int(), low: z.boolean(), printedTotal: z.number().int() });
const Pin = z.string().regex(/^\d{4,12}$/);
const RefundReason = z.string().trim().min(2).max(80);

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
  'order:pick-variant': { input: OrderRef.extend({ index: z.number().int().min(0).max(7), effect: MotionEffect.optional() }), output: OrderView },
  /** Also switches the method of an open trade: the other method's trade is closed properly first. */
  'payment:start': { input: OrderRef.extend({ packageId: Id, method: PaymentMethodId.optional() }), output: OrderView },
  'payment:cancel': { input: OrderRef, output: OrderView },
  'order:abandon': { input: OrderRef, output: OrderView },
  // ---- operator (admin) calls: all but admin:unlock take the session token
  'admin:unlock': { input: z.object({ pin: z.string().max(64) }), output: z.object({ token: z.string(), expiresAt: z.string() }) },
  'admin:lock': { input: AdminRef, output: z.object({ locked: z.literal(true) }) },
  'admin:get-health': { input: AdminRef.extend({ refresh: z.boolean().optional() }), output: HealthReport },
  'admin:get-settings': { input: AdminRef, output: AdminSettingsView },
  'admin:save-settings': {
    input: AdminRef.extend({ settings: AdminSettingsDraft }),
    output: z.object({ saved: z.boolean(), issues: z.array(SettingsIssue), view: AdminSettingsView }),
  },
  'admin:set-secret': {
    input: AdminRef.extend({ name: z.string().min(1).max(64), value: z.string().max(16_384) }),
    output: z.object({ name: z.string(), set: z.boolean() }),
  },
  'admin:list-orders': {
    input: AdminRef.extend({ all: z.boolean().optional(), limit: z.number().int().min(1).max(500).optional() }),
    output: z.array(AdminOrderRow),
  },
  'admin:sales-report': { input: AdminRef, output: SalesReport },
  'admin:export-csv': {
    input: AdminRef.extend({ days: z.number().int().min(1).max(366).optional() }),
    output: z.object({ fileName: z.string(), csv: z.string() }),
  },
  'admin:reprint': { input: AdminRef.extend({ orderId: Id }), output: z.object({ printed: z.boolean() }) },
  'admin:refund': { input: AdminRef.extend({ orderId: Id, reason: RefundReason }), output: AdminOrderRow },
  'admin:get-alert-robots': { input: AdminRef, output: z.object({ robots: z.array(AlertRobotView) }) },
  /** address / secret: absent = keep, '' = remove; the address may be the whole webhook URL or only its key (token). */
  'admin:save-alert-robot': {
    input: AdminRef.extend({ kind: AlertRobotKind, enabled: z.boolean(), address: z.string().max(2048).optional(), secret: z.string().max(512).optional() }),
    output: z.object({ robots: z.array(AlertRobotView) }),
  },
  /** Sends a real test message through the alert sender, now, and says what the robot answered. */
  'admin:test-alert-robot': { input: AdminRef.extend({ kind: AlertRobotKind }), output: AlertRobotTestResult },
  /** The operator settled the order's disputed trade(s) in the merchant platform (refund or accept): recorded with a note, no longer needs attention. */
  'admin:resolve-dispute': { input: AdminRef.extend({ orderId: Id, note: RefundReason }), output: AdminOrderRow },
  'admin:test-print': { input: AdminRef, output: z.object({ printed: z.boolean(), printer: z.string(), detail: z.string() }) },
  'admin:reset-paper': { input: AdminRef.extend({ capacity: z.number().int().min(1).max(10_000).optional() }), output: PaperView },
  'admin:export-logs': { input: AdminRef, output: z.object({ fileName: z.string(), text: z.string(), truncated: z.boolean() }) },
  'admin:change-pin': { input: AdminRef.extend({ oldPin: z.string().max(64), newPin: Pin }), output: z.object({ changed: z.literal(true) }) },
  'admin:exit-kiosk': { input: AdminRef.extend({ confirm: z.literal(true) }), output: z.object({ exiting: z.literal(true) }) },
  /** The capture screen says whether the camera opened (health: camera unplugged / replugged). */
  'health:report-camera': { input: z.object({ ok: z.boolean(), detail: z.string().max(200) }), output: z.object({ recorded: z.literal(true) }) },
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

/** Own names only: `constructor`, `toString`, `__proto__` are not calls (issue 13.5). */
export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && Object.hasOwn(calls, name);
