// The phone listener's small JSON API (/p/api/…). Same Result shape and offline handling as the kiosk bridge.
import type { Reason } from '../../../electron/shared/contract';
import type { Result } from '../../../electron/shared/result';
import { offlineError, toResult } from '../platform/httpBridge';

export interface PayInfo {
  amountFen: number;
  description: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
}
export interface DownloadInfo {
  ready: boolean;
  photoUrl?: string;
  motionUrl?: string;
  livePhoto?: { jpgUrl: string; movUrl: string };
  /** The living photo is still being made: keep asking. */
  motionPending?: boolean;
  blessing: string;
  expiresAt: string;
  /** Short order code and the operator's after-sales contact (issue 15). */
  orderCode?: string;
  afterSalesContact?: string;
}
export interface UploadInfo {
  expiresAt: string;
  name?: string;
}
export interface UploadOutcome {
  ok: boolean;
  reasons: Reason[];
}

type Fetch = typeof fetch;

async function request<T>(doFetch: Fetch, url: string, init?: RequestInit): Promise<Result<T>> {
  try {
    const res = await doFetch(url, init);
    try {
      return toResult<T>(await res.json());
    } catch {
      return { ok: false, error: offlineError };
    }
  } catch {
    return { ok: false, error: offlineError };
  }
}

export function phoneApi(doFetch: Fetch = (...a) => fetch(...a)) {
  const enc = encodeURIComponent;
  return {
    payInfo: (token: string) => request<PayInfo>(doFetch, `/p/api/pay/${enc(token)}`),
    payConfirm: (token: string) => request<unknown>(doFetch, `/p/api/pay/${enc(token)}/confirm`, { method: 'POST' }),
    download: (token: string) => request<DownloadInfo>(doFetch, `/p/api/download/${enc(token)}`),
    uploadInfo: (token: string) => request<UploadInfo>(doFetch, `/p/api/upload/${enc(token)}`),
    upload: (token: string, jpeg: Blob) =>
      request<UploadOutcome>(doFetch, `/p/api/upload/${enc(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: jpeg,
      }),
  };
}
export type PhoneApi = ReturnType<typeof phoneApi>;
