// The printers as kiosk providers. They share config.json's `print` section (paper, sizes, CUPS
// queue, Windows printer name); providers.printer picks one. The PDF folder is a demo: nothing
// comes out of a printer, so the kiosk shows 演示模式 while it is active.
import { defineProvider, zodIssues } from '../../providerDef';
import { createPrinter, printConfigFromEnv } from '.';

const PRINT_ENV = ['KIOSK_CUPS_QUEUE', 'KIOSK_PRINT_DIR'] as const;

function checkPrint(section: unknown, env: NodeJS.ProcessEnv) {
  try {
    printConfigFromEnv(section, env);
    return [];
  } catch (e) {
    return zodIssues('print', e);
  }
}

export const pdfPrinterProvider = defineProvider({
  id: 'pdf',
  kind: 'printer',
  label: 'PDF folder',
  demo: true,
  section: 'print',
  env: PRINT_ENV,
  secrets: [],
  check: (config, env) => checkPrint(config.print, env),
  create: (ctx) => ({ printer: createPrinter({ ...ctx.printConfig, provider: 'pdf' }, { printPdf: ctx.platform?.printPdf as never }) }),
});

export const cupsPrinterProvider = defineProvider({
  id: 'cups',
  kind: 'printer',
  label: 'CUPS queue',
  demo: false,
  section: 'print',
  env: PRINT_ENV,
  secrets: [],
  check: (config, env) => checkPrint(config.print, env),
  create: (ctx) => ({ printer: createPrinter({ ...ctx.printConfig, provider: 'cups' }) }),
});

export const electronPrinterProvider = defineProvider({
  id: 'electron',
  kind: 'printer',
  label: 'Windows printer (Electron silent print)',
  demo: false,
  section: 'print',
  env: PRINT_ENV,
  secrets: [],
  check: (config, env) => checkPrint(config.print, env),
  create: (ctx) => ({ printer: createPrinter({ ...ctx.printConfig, provider: 'electron' }, { printPdf: ctx.platform?.printPdf as never }) }),
});
