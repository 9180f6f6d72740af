// Typed translation: t(key, vars) in the current language, plus helpers for text that arrives as
// data (catalogue names, error codes, check reasons).
import type { KioskError } from '../../../electron/shared/result';
import type { Lang, Reason, Text } from '../../../electron/shared/contract';
import { en } from './en';
import { zh, type MessageKey } from './zh';

export type { MessageKey };
export const catalogues: Record<Lang, Record<MessageKey, string>> = { zh, en };

export type Vars = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const text = catalogues[lang][key] ?? zh[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zh, key);
}

/** Catalogue data carries both languages; fall back to Chinese when the English side is empty. */
export function pickText(lang: Lang, text: Text): string {
  return (lang === 'en' ? text.en : text.zh) || text.zh;
}

/**
 * Main sends Chinese messages, often more specific than a code (which link expired, why a photo
 * failed): Chinese shows them as sent; English shows the catalogue text for a known code.
 */
export function errorText(lang: Lang, error: Pick<KioskError, 'code' | 'message'>): string {
  const key = `error.${error.code}`;
  if (lang === 'en' && isMessageKey(key)) return translate(lang, key);
  return error.message || (isMessageKey(key) ? translate(lang, key) : translate(lang, 'error.INTERNAL'));
}

export function reasonText(lang: Lang, reason: Reason): string {
  const key = `reason.${reason.code}`;
  if (lang === 'en' && isMessageKey(key)) return translate(lang, key);
  // In Chinese, main's own message is the most specific (it may name the face size, etc.).
  return reason.message || (isMessageKey(key) ? translate(lang, key) : reason.code);
}

export function hintText(lang: Lang, hint: string, message: string): string {
  const key = `capture.hint.${hint}`;
  if (isMessageKey(key)) return translate(lang, key);
  return message;
}
