// Electron's silent print path (Windows printers with their vendor drivers): the print PDF is
// loaded in a hidden window and printed with the options the print service mapped for the job.
import { BrowserWindow } from 'electron';
import { pathToFileURL } from 'node:url';

export async function printPdfSilently(pdfPath: string, options: Record<string, unknown>): Promise<void> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, plugins: true },
  });
  try {
    await win.loadURL(pathToFileURL(pdfPath).toString());
    await new Promise<void>((resolve, reject) => {
      win.webContents.print({ silent: true, ...options }, (success, failureReason) => {
        if (success) resolve();
        else reject(new Error(`print failed: ${failureReason}`));
      });
    });
  } finally {
    if (!win.isDestroyed()) win.destroy();
  }
}
