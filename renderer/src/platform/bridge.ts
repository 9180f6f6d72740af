// The one way the renderer reaches the main process: Electron's preload (window.kiosk) when it
// is there, the browser host's HTTP + WebSocket bridge otherwise.
import type { KioskApi } from '../../../electron/shared/contract';
import { createHttpBridge } from './httpBridge';

declare global {
  interface Window {
    kiosk?: KioskApi;
  }
}

let http: KioskApi | null = null;

export function getKiosk(): KioskApi {
  const preload = typeof window !== 'undefined' ? window.kiosk : undefined;
  if (preload) return preload;
  http ??= createHttpBridge();
  return http;
}
