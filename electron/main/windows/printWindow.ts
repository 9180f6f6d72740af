// Electron's silent print path (Windows printers with their vendor drivers). A loaded PDF prints
// blank through webContents.print (electron#30947), so the print page is rebuilt as HTML at the
// paper size (print/electronPrintPage.ts) and that page is printed from a hidden window.
import { BrowserWindow } from 'electron';
import { electronPrintPage } from '../services/print/electronPrintPage';

export async function printPdfSilently(pdfPath: string, options: Record<string, unknown>): Promise<void> {
  const page = await electronPrintPage(pdfPath);
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(page.html)}`);
    await new Promise<void>((resolve, reject) => {
      win.webContents.print({ silent: true, printBackground: true, ...options }, (success, failureReason) => {
        if (success) resolve();
        else reject(new Error(`print failed: ${failureReason}`));
      });
    });
  } finally {
    if (!win.isDestroyed()) win.destroy();
  }
}
