// The Electron host's binding: one ipcMain.handle per contract call, with a sender check first.
import { callNames } from '../../shared/contract';
import { err } from '../../shared/result';
import { dispatch, type Handlers } from './handlers';

/** The slice of Electron's ipcMain we use (so this binding is testable without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Binds every call; `trusted(url)` says whether the calling frame is the kiosk's own page. */
export function bindIpc(ipcMain: IpcMainLike, handlers: Handlers, trusted: (url: string) => boolean): () => void {
  for (const name of callNames) {
    ipcMain.handle(name, async (event, input) => {
      const url = event.senderFrame?.url ?? '';
      if (!trusted(url)) return err('FORBIDDEN', '不允许的来源');
      return dispatch(handlers, name, input);
    });
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(name);
  };
}
