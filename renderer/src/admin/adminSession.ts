// The operator's session on this screen: the token from admin:unlock, kept in memory only and
// dropped when the admin screen closes. Every admin call goes through `adminCall`, which adds the
// token and sends the screen back to the PIN pad when main says the session expired.
import { create } from 'zustand';
import type { CallInput, CallName, CallOutput, Lang } from '../../../electron/shared/contract';
import type { KioskError, Result } from '../../../electron/shared/result';
import { isMessageKey, translate } from '../i18n';
import { getKiosk } from '../platform/bridge';

export interface AdminSessionState {
  token: string | null;
  setToken(token: string | null): void;
}

export const useAdminSession = create<AdminSessionState>()((set) => ({
  token: null,
  setToken: (token) => set({ token }),
}));

type TokenCall = Exclude<Extract<CallName, `admin:${string}`>, 'admin:unlock'>;
type WithoutToken<N extends TokenCall> = Omit<CallInput<N>, 'token'>;

export async function adminCall<N extends TokenCall>(name: N, input: WithoutToken<N>): Promise<Result<CallOutput<N>>> {
  const token = useAdminSession.getState().token;
  if (!token) return { ok: false, error: { code: 'ADMIN_SESSION_EXPIRED', message: '', retryable: false } };
  const r = await getKiosk().invoke(name, { ...input, token } as CallInput<N>);
  if (!r.ok && r.error.code === 'ADMIN_SESSION_EXPIRED') useAdminSession.getState().setToken(null);
  return r;
}

/**
 * Main's Chinese message is the most specific (it names the tries left, the cap …); English mode
 * uses the catalogue text for known codes.
 */
export function adminErrorText(lang: Lang, error: KioskError): string {
  const key = `error.${error.code}`;
  if (lang === 'zh' && error.message) return error.message;
  if (isMessageKey(key)) return translate(lang, key);
  return error.message || translate(lang, 'error.INTERNAL');
}

/** Catalogue text for a key built from data (a health code, a state); the raw value when unknown. */
export function textOr(lang: Lang, key: string, fallback: string, vars?: Record<string, string | number>): string {
  return isMessageKey(key) ? translate(lang, key, vars) : fallback;
}

/** Hands text to the operator as a file (CSV, log): a download in the browser host and in Electron. */
export function offerDownload(fileName: string, text: string, mime: string): void {
  const blob = new Blob([text], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Yuan text from the form ("9.9", "19.90") to fen; NaN when it is not a price. */
export function yuanToFen(text: string): number {
  const t = text.trim();
  if (!/^\d{1,7}(\.\d{0,2})?$/.test(t)) return Number.NaN;
  return Math.round(Number(t) * 100);
}
