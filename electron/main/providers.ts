// Picks and builds each external service from the configuration: the embedded defaults (local
// generator, simulated payment, LAN share, PDF printer, local motion) need no account; the real
// adapters (Jimeng, WeChat Pay, OSS, CUPS / Windows printing) are chosen in config.json or env.
import { join } from 'node:path';
import type { DataPaths, ResourcePaths } from './infra/paths';
import type { KioskConfig } from './services/config';
import type { Db } from './services/store/db';
import type { ChecksService } from './services/checks/types';
import { createChecksService } from './services/checks';
import type { Generator } from './services/generator/types';
import { createLocalGenerator } from './services/generator/local';
import { runVariants } from './services/generator/variants';
import { createQualityGate } from './services/generator/qualityGate';
import { labelDelivered, watermarkPreview } from './services/generator/aigc';
import type { PaymentProvider } from './services/payment/types';
import { SimulatedPayment } from './services/payment/simulated';
import type { Printer } from './services/print/types';
import { createPdfPrinter } from './services/print/pdfPrinter';
import { PRINT_SIZES, renderPrintPdf } from './services/print/layout';
import type { ShareStore } from './services/share/types';
import { LanShare, lanShareSecret } from './services/share/lan';
import type { MotionRenderer } from './services/motion/types';
import type { OrderDeps, PrintLayout, RunVariants } from './services/orders/context';

export interface ProviderPlatform {
  /** Electron's silent print of a PDF (Windows printers). */
  printPdf?: (pdfPath: string, options: Record<string, unknown>) => Promise<void>;
  /** Electron safeStorage for secrets at rest. */
  cipher?: { encrypt(s: string): Buffer; decrypt(b: Buffer): string };
}

export interface ProviderContext {
  config: KioskConfig;
  env: NodeJS.ProcessEnv;
  paths: DataPaths;
  resources: ResourcePaths;
  db: Db;
  phoneBaseUrl: () => string;
  onSimulatedPaid: (outTradeNo: string) => void;
  platform?: ProviderPlatform;
}

export interface Providers {
  checks: ChecksService;
  generator: Generator;
  runVariants: RunVariants;
  gate: OrderDeps['gate'];
  payment: PaymentProvider;
  simPayment: SimulatedPayment | null;
  printer: Printer;
  printLayout: PrintLayout;
  share: ShareStore;
  lanShare: LanShare | null;
  motion: MotionRenderer | null;
  watermarkPreview: (image: Buffer) => Promise<Buffer>;
  labelDelivered: (image: Buffer, opts: { orderId: string; provider: string }) => Promise<Buffer>;
  close(): Promise<void>;
}

export async function createProviders(ctx: ProviderContext): Promise<Providers> {
  const { config, paths, resources } = ctx;
  const checks = createChecksService({ modelsDir: resources.modelsDir });

  const generator: Generator = createLocalGenerator({ assetsDir: resources.assetsDir });

  const simPayment =
    config.providers.payment === 'simulated'
      ? new SimulatedPayment({ db: ctx.db, baseUrl: ctx.phoneBaseUrl, onPaid: ctx.onSimulatedPaid })
      : null;
  const payment: PaymentProvider = simPayment!;

  const printer: Printer = createPdfPrinter({ outDir: join(paths.prints, 'out') });
  const size = PRINT_SIZES['6x4'];
  const printLayout: PrintLayout = async (o) => {
    const r = await renderPrintPdf({ ...o, size });
    return { pdfPath: r.pdfPath, widthIn: r.widthPt / 72, heightIn: r.heightPt / 72 };
  };

  const lanShare = new LanShare({ dir: paths.share, baseUrl: ctx.phoneBaseUrl, secret: lanShareSecret(paths.root) });
  const share: ShareStore = lanShare;

  return {
    checks,
    generator,
    runVariants,
    gate: createQualityGate((img) => checks.detectFaces(img)),
    payment,
    simPayment,
    printer,
    printLayout,
    share,
    lanShare,
    motion: null,
    watermarkPreview,
    labelDelivered: (image, o) => labelDelivered(image, { orderId: o.orderId, provider: o.provider }),
    close: async () => {
      await checks.close();
    },
  };
}
