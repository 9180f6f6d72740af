// The phone listener's small JSON API (/p/api/…), as described in electron/shared/phoneApi.ts (zod):
// every answer is validated against the same schema the listener checked before sending it. Same
// Result shape and offline handling as the kiosk bridge.
import {
  phoneEndpoints,
  phonePath,
  type CardInfo,
  type DownloadInfo,
  type PayInfo,
  type PhoneEndpoint,
  type PhoneOutput,
  type UploadInfo,
  type UploadOutcome,
} from '../../../electron/shared/phoneApi';
import type { Result } from '../../../electron/shared/result';
import { zh } from '../i18n/zh';
import { offlineError, toResult } from '../platform/httpBridge';

import type { CardDraft } from '../../../electron/shared/cards';

export type { CardInfo, DownloadInfo, PayInfo, UploadInfo, UploadOutcome };

type Fetch = typeof fetch;

async function request<E extends PhoneEndpoint>(doFetch: Fetch, endpoint: E, token: string, init?: RequestInit): Promise<Result<PhoneOutput<E>>> {
  const spec = phoneEndpoints[endpoint];
  try {
    const res = await doFetch(phonePath(endpoint, token), { method: spec.method, ...init });
    let result: Result<unknown>;
    try {
      result = toResult<unknown>(await res.json());
    } catch {
      return { ok: false, error: offlineError };
    }
    if (!result.ok) return result;
    const parsed = spec.output.safeParse(result.value);
    // An answer of the wrong shape is treated like a failed call, never half-used.
    if (!parsed.success) return { ok: false, error: { code: 'INTERNAL', message: zh['error.INTERNAL'], retryable: true } };
    return { ok: true, value: parsed.data as PhoneOutput<E> };
  } catch {
    return { ok: false, error: offlineError };
  }
}

export function phoneApi(doFetch: Fetch = (...a) => fetch(...a)) {
  return {
    payInfo: (token: string) => request(doFetch, 'payInfo', token),
    payConfirm: (token: string) => request(doFetch, 'payConfirm', token),
    download: (token: string) => request(doFetch, 'download', token),
    uploadInfo: (token: string) => request(doFetch, 'uploadInfo', token),
    upload: (token: string, jpeg: Blob) => request(doFetch, 'upload', token, { headers: { 'content-type': 'image/jpeg' }, body: jpeg }),
    cardSave: (token: string, draft: CardDraft) => request(doFetch, 'cardSave', token, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(draft) }),
  };
}
export type PhoneApi = ReturnType<typeof phoneApi>;
