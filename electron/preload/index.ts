// The one bridge of the Electron host: window.kiosk, built from the contract. The renderer never
// sees ipcRenderer; only contract calls and events go through, each by its own channel.
import { contextBridge, ipcRenderer } from 'electron';
import { isCallName, eventNames, type EventName, type KioskApi } from '../shared/contract';

const eventSet = new Set<string>(eventNames);

const api: KioskApi = {
  host: 'electron',
  invoke: (name, input) => {
    if (!isCallName(name)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CALL', message: '不支持的操作', retryable: false } });
    return ipcRenderer.invoke(name, input);
  },
  on: (event: EventName, listener) => {
    if (!eventSet.has(event)) return () => undefined;
    const wrapped = (_e: unknown, payload: unknown) => (listener as (p: unknown) => void)(payload);
    ipcRenderer.on(`event:${event}`, wrapped);
    return () => ipcRenderer.removeListener(`event:${event}`, wrapped);
  },
  mediaUrl: (assetId) => `kiosk-media://asset/${encodeURIComponent(assetId)}`,
};

contextBridge.exposeInMainWorld('kiosk', api);
