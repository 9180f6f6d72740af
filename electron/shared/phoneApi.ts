// The phone pages' API (/p/api/…), in zod like the kiosk's own contract (issue 12.6): the phone
// listener validates every answer it sends against these schemas, and the phone page validates
// every answer it reads, so the two cannot drift apart silently. Each endpoint is addressed by a
// capability token in its path. Answers use the kiosk's Result shape ({ ok, value } / { ok, error }).
import { z } from 'zod';
import { CARD_TEMPLATE_IDS } from './cards';
import { Reason } from './contract';

/** Capability tokens: ≥ 128 bits, URL-safe (see orders/repo.ts newToken). */
export const PhoneToken = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** The simulated payment page: what the QR is for. */
export const PayInfo = z.object({
  amountFen: z.number().int().nonnegative(),
  description: z.string(),
  state: z.enum(['NOTPAY', 'SUCCESS', 'CLOSED']),
});
export type PayInfo = z.infer<typeof PayInfo>;

export const PayConfirmed = z.object({ state: z.enum(['NOTPAY', 'SUCCESS', 'CLOSED', 'REFUND']) });
export type PayConfirmed = z.infer<typeof PayConfirmed>;

/** A saved greeting card: its shareable page (title, description, thumbnail for WeChat) and image. */
export const CardInfo = z.object({
  template: z.enum(CARD_TEMPLATE_IDS),
  message: z.string(),
  pageUrl: z.string(),
  imageUrl: z.string(),
});
export type CardInfo = z.infer<typeof CardInfo>;

/** The download page: the photo (and living photo) once they are ready, links signed per visit. */
export const DownloadInfo = z.object({
  ready: z.boolean(),
  photoUrl: z.string().optional(),
  motionUrl: z.string().optional(),
  livePhoto: z.object({ jpgUrl: z.string(), movUrl: z.string() }).optional(),
  /** The living photo is still being made: keep asking. */
  motionPending: z.boolean().optional(),
  blessing: z.string(),
  expiresAt: z.string(),
  /** The short code a family quotes to the operator (as on the deliver screen, the print and the admin orders tab). */
  orderCode: z.string().regex(/^[A-Z0-9_-]{6}$/),
  /** The operator's after-sales contact (admin setting), when one is set. */
  afterSalesContact: z.string().max(60).optional(),
  /** A greeting card can be made (paid orders, once the picture is ready); the free try is the watermarked picture only. */
  cardAllowed: z.boolean(),
  /** The card the family saved, if any. */
  card: CardInfo.optional(),
});
export type DownloadInfo = z.infer<typeof DownloadInfo>;

/** The upload page for absent relatives. */
export const UploadInfo = z.object({ expiresAt: z.string(), name: z.string().optional() });
export type UploadInfo = z.infer<typeof UploadInfo>;

/** What the checks said about an uploaded photo (ok: counted; otherwise the reasons to retake it). */
export const UploadOutcome = z.object({ ok: z.boolean(), reasons: z.array(Reason) });
export type UploadOutcome = z.infer<typeof UploadOutcome>;

/** Every phone endpoint: method, path (with :token) and the schema of its answer's value. */
export const phoneEndpoints = {
  payInfo: { method: 'GET', path: '/p/api/pay/:token', output: PayInfo },
  payConfirm: { method: 'POST', path: '/p/api/pay/:token/confirm', output: PayConfirmed },
  download: { method: 'GET', path: '/p/api/download/:token', output: DownloadInfo },
  uploadInfo: { method: 'GET', path: '/p/api/upload/:token', output: UploadInfo },
  /** Body: the photo itself (image/jpeg), at most phone.uploadMaxBytes. */
  upload: { method: 'POST', path: '/p/api/upload/:token', output: UploadOutcome },
  /** Body: a CardDraft (electron/shared/cards.ts) as JSON; the token is the download page's. */
  cardSave: { method: 'POST', path: '/p/api/card/:token', output: CardInfo },
} as const;
export type PhoneEndpoint = keyof typeof phoneEndpoints;
export type PhoneOutput<E extends PhoneEndpoint> = z.infer<(typeof phoneEndpoints)[E]['output']>;

export function phonePath(endpoint: PhoneEndpoint, token: string): string {
  return phoneEndpoints[endpoint].path.replace(':token', encodeURIComponent(token));
}
