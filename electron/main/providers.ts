// Picks and builds each external service from the configuration: the embedded defaults (local
// generator, simulated payment, LAN share, PDF printer, local motion) need no account; the real
// adapters (Jimeng, WeChat Pay, OSS, CUPS / Windows printing, Jimeng video) are chosen in
// config.json `providers` or by environment (README "Configuration").
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataPaths, ResourcePaths } from './infra/paths';
import { logger } from './infra/log';
import type { KioskConfig } from './services/config';
import { createSecretStore, defaultSecretsFile, type SecretStore } from './services/config/secrets';
import type { Db } from './services/store/db';
import type { ChecksService } from './services/checks/types';
import { createChecksService } from './services/checks';
import type { Generator } from './services/generator/types';
import { createLocalGenerator } from './services/generator/local';
import { createJimengProvider, type JimengProvider } from './services/generator/jimeng';
import { runVariants } from './services/generator/variants';
import { createQualityGate } from './services/generator/qualityGate';
import { labelDelivered, watermarkPreview } from './services/generator/aigc';
import type { PaymentProvider } from './services/payment/types';
import { SimulatedPayment } from './services/payment/simulated';
import { createWeChatPay } from './services/payment/wechatpay';
import { createAlipay } from './services/payment/alipay';
import { createPrintService, printConfigFromEnv, renderPrintPdf, type PrintService, type PrintJobView } from './services/print';
import type { ShareStore } from './services/share/types';
import { LanShare, lanShareSecret } from './services/share/lan';
import { createQueuedOssShare, type QueuedOssShare } from './services/share/oss/queuedOssShare';
import { ossConfigFromEnv } from './services/share/oss/config';
import { createMotionRenderer, motionConfigFromEnv, type MotionRenderer } from './services/motion';
import type { OrderDeps, PrintLayout, RunVariants } from './services/orders/context';

const log = logger('providers');

export interface ProviderPlatform {
  /** Electron's silent print of a print page (Windows printers). */
  printPdf?: (pdfPath: string, options: Record<string, unknown>) => Promise<unknown>;
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
  /** A print job's progress changed (for the delivery screen). */
  onPrintUpdate?: (jobKey: string, view: PrintJobView) => void;
  platform?: ProviderPlatform;
}

export interface Providers {
  secrets: SecretStore;
  checks: ChecksService;
  generator: Generator;
  runVariants: RunVariants;
  gate: OrderDeps['gate'];
  aiBudget: OrderDeps['aiBudget'];
  /** The configured provider: new trades go here unless the family picks another offered method. */
  payment: PaymentProvider;
  /** Every other payment provider that can be reached: the other offered method, and those still holding trades. */
  payments: PaymentProvider[];
  /** Methods offered side by side on the pay screen, the configured one first. */
  paymentMethods: string[];
  simPayment: SimulatedPayment | null;
  print: PrintService;
  printLayout: PrintLayout;
  printMedia: { widthIn: number; heightIn: number };
  share: ShareStore;
  lanShare: LanShare | null;
  oss: QueuedOssShare | null;
  motion: MotionRenderer | null;
  watermarkPreview: (image: Buffer) => Promise<Buffer>;
  labelDelivered: (image: Buffer, opts: { orderId: string; provider: string }) => Promise<Buffer>;
  close(): Promise<void>;
}

export async function createProviders(ctx: ProviderContext): Promise<Providers> {
  const { config, env, paths, resources } = ctx;
  const secrets = createSecretStore({ file: defaultSecretsFile(paths.root), cipher: ctx.platform?.cipher });
  if (!ctx.platform?.cipher) log.warn('secrets.file_permissions_only', { file: defaultSecretsFile(paths.root) });
  const checks = createChecksService({ modelsDir: resources.modelsDir });

  // ---- share: the phone download (and, with OSS, the private originals Jimeng 4.0 reads)
  const lanShare = new LanShare({ dir: paths.share, baseUrl: ctx.phoneBaseUrl, secret: lanShareSecret(paths.root) });
  let oss: QueuedOssShare | null = null;
  if (config.providers.share === 'oss') {
    const ossConfig = ossConfigFromEnv(config.oss, env);
    if (!ossConfig) throw new Error('providers.share is "oss" but the oss section (bucket, region, credentials) is incomplete — see README "Object storage"');
    oss = createQueuedOssShare(ossConfig, { stateDir: paths.root });
    oss.start();
  }
  const share: ShareStore = oss ?? lanShare;

  // ---- generator
  let jimeng: JimengProvider | null = null;
  let generator: Generator = createLocalGenerator({ assetsDir: resources.assetsDir, detectFaces: (img) => checks.detectFaces(img) });
  let concurrency: number | undefined;
  if (config.providers.generator === 'jimeng') {
    try {
      jimeng = createJimengProvider({
        fileSection: config.jimeng,
        env,
        secrets,
        assetsDir: resources.assetsDir,
        dataDir: paths.root,
        kioskId: config.kioskId,
        signedUrlFor: oss ? originalsUploader(oss, ctx.db, paths.work) : undefined,
      });
      generator = jimeng.generator;
      concurrency = jimeng.concurrency;
    } catch (e) {
      // A typo in the Jimeng settings must not stop the kiosk selling: the local compositor takes
      // over, and the operator sees it in the log and on the health screen (AI provider: local).
      log.error('jimeng.config_invalid', { error: e as Error });
    }
  }
  const run: RunVariants = (o) => runVariants({ ...o, concurrency });

  // ---- payment
  // Every provider whose settings are complete is built, so a trade is always asked of the provider
  // that created it (payments.provider), also after the operator switched the configured one.
  // The configured provider must build; never fall back to the simulated page (photos for free).
  const real: Record<'wechatpay' | 'alipay', () => PaymentProvider | null> = {
    wechatpay: () => createWeChatPay({ section: config.wechatpay, env, secrets })?.provider ?? null,
    alipay: () => createAlipay({ section: config.alipay, env, secrets })?.provider ?? null,
  };
  const built: PaymentProvider[] = [];
  for (const [id, make] of Object.entries(real)) {
    try {
      const p = make();
      if (p) built.push(p);
      else if (config.providers.payment === id) throw new Error(`providers.payment is "${id}" but its merchant settings are incomplete — see README "Payment"`);
    } catch (e) {
      if (config.providers.payment === id) throw e;
      log.warn('payment.other_provider_unavailable', { provider: id, error: e as Error });
    }
  }
  // The simulated books can always be read, closed and refunded; the pay page is served only when simulated is configured.
  const sim = new SimulatedPayment({ db: ctx.db, baseUrl: ctx.phoneBaseUrl, onPaid: ctx.onSimulatedPaid });
  const simPayment: SimulatedPayment | null = config.providers.payment === 'simulated' ? sim : null;
  const payment: PaymentProvider = config.providers.payment === 'simulated' ? sim : built.find((p) => p.name === config.providers.payment)!;
  const payments = [...built, sim].filter((p) => p !== payment);
  // Offered: the configured method first, then any other real method that is configured (微信 and 支付宝 side by side).
  const paymentMethods = [payment.name, ...built.map((p) => p.name).filter((n) => n !== payment.name)];

  // ---- print: printer + paper counter + one-job-at-a-time spooler
  const printSection = { ...(config.print as Record<string, unknown>), provider: config.providers.printer };
  const printConfig = printConfigFromEnv(printSection, env);
  if (!printConfig.pdf.outDir) printConfig.pdf.outDir = join(paths.prints, 'out');
  const print = createPrintService(printConfig, { stateDir: paths.prints, printPdf: ctx.platform?.printPdf as never, onUpdate: ctx.onPrintUpdate });
  void print.queue.resume().catch((e) => log.error('print.resume_failed', { error: e as Error }));
  const size = print.size();
  const printLayout: PrintLayout = async (o) => {
    // The delivered picture already carries its "AI生成" mark (labelDelivered): no second one.
    const r = await renderPrintPdf({ ...o, size, aiMark: false });
    return { pdfPath: r.pdfPath, widthIn: r.widthPt / 72, heightIn: r.heightPt / 72 };
  };

  // ---- motion (微动态)
  const motion = createMotionRenderer(motionConfigFromEnv(config.motion, env, config.providers.motion), {
    assetsDir: resources.assetsDir,
    dataDir: paths.root,
    jimengSection: config.jimeng,
    secrets,
    env,
    kioskId: config.kioskId,
  });

  log.info('providers', {
    generator: generator.name,
    payment: payment.name,
    paymentMethods,
    share: share.name,
    printer: print.printer.name,
    motion: motion.name,
  });

  return {
    secrets,
    checks,
    generator,
    runVariants: run,
    gate: createQualityGate((img) => checks.detectFaces(img)),
    aiBudget: jimeng?.costGuard,
    payment,
    payments,
    paymentMethods,
    simPayment,
    print,
    printLayout,
    printMedia: { widthIn: size.widthIn, heightIn: size.heightIn },
    share,
    lanShare,
    oss,
    motion,
    watermarkPreview,
    labelDelivered: (image, o) => labelDelivered(image, { orderId: o.orderId, provider: o.provider }),
    close: async () => {
      print.queue.close();
      await Promise.allSettled([checks.close(), jimeng?.close(), motion.close?.(), oss?.stop()]);
    },
  };
}

/**
 * Jimeng 4.0 reads the family's photos from URLs: each goes to the private originals prefix and is
 * passed as a short-lived signed URL. The key is recorded so retention deletes it explicitly
 * (OSS lifecycle rules only round to days).
 */
function originalsUploader(oss: QueuedOssShare, db: Db, workDir: string): (jpeg: Buffer) => Promise<string> {
  return async (jpeg) => {
    const key = `${createHash('sha256').update(jpeg).digest('hex').slice(0, 32)}.jpg`;
    db.prepare('INSERT OR IGNORE INTO cloud_originals (key, created_at) VALUES (?, ?)').run(key, new Date().toISOString());
    mkdirSync(workDir, { recursive: true });
    const tmp = join(workDir, `upload-${key}`);
    writeFileSync(tmp, jpeg, { mode: 0o600 });
    try {
      await oss.putOriginal(key, tmp, 'image/jpeg');
    } finally {
      rmSync(tmp, { force: true });
    }
    return oss.signedGetUrl(key, 600);
  };
}
