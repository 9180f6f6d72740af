// Builds each external service from the configuration through the provider registry
// (providerRegistry.ts: each adapter declares its id, section, secrets, health endpoint and
// factory once). The embedded defaults (local generator, simulated payment, LAN share, PDF
// printer, local motion) need no account; the real adapters are chosen in config.json
// `providers` or by environment (README "Configuration").
import { join } from 'node:path';
import type { DataPaths, ResourcePaths } from './infra/paths';
import { logger } from './infra/log';
import type { KioskConfig } from './services/config';
import { createSecretStore, defaultSecretsFile, type SecretStore } from './services/config/secrets';
import type { Db } from './services/store/db';
import type { ChecksService } from './services/checks/types';
import { createChecksService } from './services/checks';
import type { Generator } from './services/generator/types';
import { volcengineConfig } from './services/generator/jimeng';
import type { JimengConfig } from './services/generator/jimeng/config';
import { runVariants } from './services/generator/variants';
import { createQualityGate } from './services/generator/qualityGate';
import { labelDelivered, watermarkPreview } from './services/generator/aigc';
import { PaymentError, type PaymentProvider } from './services/payment/types';
import type { SimulatedPayment } from './services/payment/simulated';
import { createPrintService, printConfigFromEnv, renderPrintPdf, type PrintConfig, type PrintService, type PrintJobView } from './services/print';
import type { ShareStore } from './services/share/types';
import { LanShare, lanShareSecret } from './services/share/lan';
import type { QueuedOssShare } from './services/share/oss/queuedOssShare';
import type { MotionRenderer } from './services/motion';
import type { OrderDeps, PrintLayout, RunVariants } from './services/orders/context';
import type { BuildContext, BuiltProvider, ProviderKind, ProviderPlatform } from './providerDef';
import { KIND_ENV, providerDef, providersOf } from './providerRegistry';
import { SaleGuard } from './services/config/saleGuard';

export type { ProviderPlatform } from './providerDef';

const log = logger('providers');

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
  /** Collects what stops the sale (config problems found while building). */
  guard?: SaleGuard;
  /** Each OSS upload attempt's outcome (fleet monitoring). */
  onUploadAttempt?: (ok: boolean, code: string | null) => void;
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

/**
 * Every payment provider other than the configured one whose settings are complete: a trade is
 * always asked of the provider that created it (payments.provider), also after the operator
 * switched the configured one, and a second real method is offered beside the first. One that
 * does not build is left out (its trades wait, the operator is told by the reconciler).
 */
async function otherPaymentProviders(ctx: BuildContext): Promise<{ provider: PaymentProvider; demo: boolean }[]> {
  const out: { provider: PaymentProvider; demo: boolean }[] = [];
  for (const def of providersOf('payment')) {
    if (def.id === ctx.config.providers.payment) continue;
    if ((def.check?.(ctx.config, ctx.env, ctx.secrets) ?? []).length > 0) continue;
    try {
      // Only the provider object: a simulated one built here never serves its pay page.
      out.push({ provider: (await def.create(ctx)).payment, demo: def.demo });
    } catch (e) {
      log.warn('payment.other_provider_unavailable', { provider: def.id, error: e as Error });
    }
  }
  return out;
}

/**
 * Builds the chosen provider of one kind from its registry entry. FAIL CLOSED: when its settings
 * are invalid or it cannot be built, the sale stops (SaleGuard) and a stand-in that takes no money
 * holds its place — never another provider selling in its stead.
 */
async function build<K extends ProviderKind>(kind: K, ctx: BuildContext, guard: SaleGuard): Promise<BuiltProvider[K]> {
  const id = ctx.config.providers[kind];
  const def = providerDef(kind, id);
  // The choice itself is in doubt (config.json unreadable, providers.payment bad …): build nothing,
  // not even the default — which for payment would be the simulated page, a free photo machine.
  if (guard.list().some((p) => p.stopsSale && choiceInDoubt(kind, p.path))) {
    log.error('provider.choice_in_doubt', { kind, note: 'sale stopped until config.json is fixed' });
    return standIn(kind, ctx);
  }
  const issues = def?.check?.(ctx.config, ctx.env, ctx.secrets) ?? [];
  for (const i of issues) guard.add({ path: i.path, message: `${def?.label ?? id}: ${i.message}`, stopsSale: true });
  if (def && issues.length === 0) {
    try {
      return await def.create(ctx);
    } catch (e) {
      guard.add({ path: `providers.${kind}`, message: `${def.label} could not start: ${(e as Error).message}`, stopsSale: true });
    }
  } else if (!def) guard.add({ path: `providers.${kind}`, message: `unknown provider "${id}"`, stopsSale: true });
  log.error('provider.unavailable', { kind, provider: id, note: 'sale stopped until the settings are fixed' });
  return standIn(kind, ctx);
}

function choiceInDoubt(kind: ProviderKind, path: string): boolean {
  return path === '(file)' || path === 'providers' || path === `providers.${kind}` || path === `env ${KIND_ENV[kind]}`;
}

/** What holds a provider's place while the sale is stopped: nothing here can take money. */
async function standIn<K extends ProviderKind>(kind: K, ctx: BuildContext): Promise<BuiltProvider[K]> {
  if (kind === 'payment') return { payment: unavailablePayment() } as BuiltProvider[K];
  // generator, share, printer, motion: the embedded default (needs no settings); no order reaches it.
  const fallback = providersOf(kind)[0]!;
  return fallback.create(ctx) as Promise<BuiltProvider[K]>;
}

/** A payment provider that refuses every call: the reconciler retries later, nothing is created. */
function unavailablePayment(): PaymentProvider {
  const no = async (): Promise<never> => {
    throw new PaymentError('PROVIDER_UNAVAILABLE', 'payment provider not configured (sale stopped)', 'retry');
  };
  return { name: 'unavailable', create: no, query: no, close: no, refund: no, queryRefund: no };
}

export async function createProviders(ctx: ProviderContext): Promise<Providers> {
  const { config, env, paths, resources } = ctx;
  const secrets = createSecretStore({ file: defaultSecretsFile(paths.root), cipher: ctx.platform?.cipher });
  if (!ctx.platform?.cipher) log.warn('secrets.file_permissions_only', { file: defaultSecretsFile(paths.root) });
  const checks = createChecksService({ modelsDir: resources.modelsDir });

  const guard = ctx.guard ?? new SaleGuard();
  // The print section (with env overrides) is shared by all printers; PDFs default to <data>/prints/out.
  // Invalid: the printer's check names the field and stops the sale; defaults hold its place.
  const printSection = { ...(config.print as Record<string, unknown>), provider: config.providers.printer };
  let printConfig: PrintConfig;
  try {
    printConfig = printConfigFromEnv(printSection, env);
  } catch {
    printConfig = printConfigFromEnv({ provider: config.providers.printer }, {});
  }
  if (!printConfig.pdf.outDir) printConfig.pdf.outDir = join(paths.prints, 'out');

  let volcengine: JimengConfig | undefined;
  const bctx: BuildContext = {
    config,
    env,
    paths,
    resources,
    db: ctx.db,
    secrets,
    checks,
    phoneBaseUrl: ctx.phoneBaseUrl,
    onSimulatedPaid: ctx.onSimulatedPaid,
    platform: ctx.platform,
    onUploadAttempt: ctx.onUploadAttempt,
    // The phone listener serves LAN links whatever the share (also links made before a switch to OSS).
    lanShare: new LanShare({ dir: paths.share, baseUrl: ctx.phoneBaseUrl, secret: lanShareSecret(paths.root) }),
    oss: null,
    printConfig,
    // Read once, on first use, for Jimeng images and Jimeng video alike.
    volcengine: () => (volcengine ??= volcengineConfig({ fileSection: config.jimeng, env, secrets })),
  };

  // Order matters: the share first (Jimeng 4.0 uploads originals to OSS), then the rest.
  const share = await build('share', bctx, guard);
  bctx.oss = share.oss ?? null;
  const generator = await build('generator', bctx, guard);
  const payment = await build('payment', bctx, guard);
  const others = await otherPaymentProviders(bctx);
  // Offered: the configured method first, then every other real (non-demo) method that is configured:
  // 微信 and 支付宝 side by side. The simulated one only ever routes calls on its old trades.
  const paymentMethods = [payment.payment.name, ...others.filter((o) => !o.demo).map((o) => o.provider.name)];
  const printer = await build('printer', bctx, guard);
  const motion = await build('motion', bctx, guard);
  const run: RunVariants = (o) => runVariants({ ...o, concurrency: generator.concurrency });

  const print = createPrintService(printConfig, { stateDir: paths.prints, printPdf: ctx.platform?.printPdf as never, onUpdate: ctx.onPrintUpdate, printer: printer.printer });
  void print.queue.resume().catch((e) => log.error('print.resume_failed', { error: e as Error }));
  const size = print.size();
  const printLayout: PrintLayout = async (o) => {
    // The delivered picture already carries its "AI生成" mark (labelDelivered): no second one.
    const r = await renderPrintPdf({ ...o, size, aiMark: false });
    return { pdfPath: r.pdfPath, widthIn: r.widthPt / 72, heightIn: r.heightPt / 72 };
  };

  log.info('providers', {
    generator: generator.generator.name,
    payment: payment.payment.name,
    paymentMethods,
    share: share.share.name,
    printer: print.printer.name,
    motion: motion.motion.name,
  });

  return {
    secrets,
    checks,
    generator: generator.generator,
    runVariants: run,
    gate: createQualityGate((img) => checks.detectFaces(img)),
    aiBudget: generator.aiBudget,
    payment: payment.payment,
    payments: others.map((o) => o.provider),
    paymentMethods,
    simPayment: payment.simPayment ?? null,
    print,
    printLayout,
    printMedia: { widthIn: size.widthIn, heightIn: size.heightIn },
    share: share.share,
    lanShare: bctx.lanShare,
    oss: share.oss ?? null,
    motion: motion.motion,
    watermarkPreview,
    labelDelivered: (image, o) => labelDelivered(image, { orderId: o.orderId, provider: o.provider }),
    close: async () => {
      print.queue.close();
      await Promise.allSettled([checks.close(), generator.close?.(), payment.close?.(), printer.close?.(), motion.close?.(), share.close?.()]);
    },
  };
}
