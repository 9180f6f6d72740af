// Window security for the Electron host, in one place (STYLE.md §2.5): what the kiosk page is
// allowed to load, to ask for, and where it may navigate. Pure functions, tested without Electron.

import { CSP } from '../infra/http';

/** The kiosk page is served from this custom scheme; media from kiosk-media://. */
export const APP_ORIGIN = 'app://kiosk';

export const ELECTRON_CSP = CSP.electronKiosk;

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'app:' && u.host === 'kiosk';
  } catch {
    return false;
  }
}

/** Only the camera (and the microphone is refused), only for the kiosk's own page. */
export function permissionAllowed(permission: string, requestingUrl: string, mediaTypes: readonly string[] = []): boolean {
  if (!isAppUrl(requestingUrl)) return false;
  if (permission !== 'media') return false;
  return mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
}

/** Keyboard shortcuts a curious visitor could use to escape or reload the kiosk. */
export function blockedShortcut(input: { key: string; control: boolean; meta: boolean; alt: boolean; shift: boolean }, production: boolean): boolean {
  const k = input.key.toLowerCase();
  const mod = input.control || input.meta;
  if (k === 'f11' || k === 'f5' || (input.alt && k === 'f4')) return true;
  if (mod && ['r', 'w', 'q', 'n', 't', 'p', 's', 'o', '+', '-', '=', '0'].includes(k)) return true;
  if (production && (k === 'f12' || (mod && input.shift && ['i', 'j', 'c'].includes(k)))) return true;
  return false;
}
