// Composition root shared by both hosts: config → logger → store → services → handlers → phone
// listener → reconciler. The Electron host and the browser host differ only in how they expose
// `handlers` and `on` (IPC vs HTTP/WebSocket) and in the few platform pieces they inject.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { EventName, EventPayload } from '../shared/contract';
import { statesWhere } from '../shared/orderStates';
import { dataPaths, privateByDefault, resourcePaths, type DataPaths, type ResourcePaths } from './infra/paths';
import { logger, setLogFile } from './infra/log';
import type { Handlers } from './ipc/handlers';
import { PhoneServer } from './phone/server';
import { CardService } from './services/cards';
import { loadCatalog } from './services/catalog';
import { catalogForScreen } from './services/catalogView';
import { screenMedia } from './services/orders/media';
import { loadConfig, phoneBaseUrl, type KioskConfig } from './services/config';
import { SaleGuard } from './services/config/saleGuard';
import { demoProviders } from './providerRegistry';
import { OrderService } from './services/orders';
import { OrdersRepo } from './services/orders/repo';
import { decodeImage } from './services/orders/session';
import { isPaymentMethod } from './services/payment/types';
import { createProviders, type ProviderPlatform, type Providers } from './providers';
import { openDb, type Db } from './services/store/db';
import { scheduleRetention } from './services/retention';
import { CatalogState, createAdminModule, withCheckThresholds } from './services/admin';
import type { Timing } from './services/orders/context';
import { createFleetModule, createRobotHandlers, observe, Outcomes, type FleetModule } from './services/fleet';
import { attentionCounts } from './services/admin/reports';
import { readConfigFile } from './services/admin/configFile';

const log = logger('app');

export interface KioskOptions {
  dataDir: string;
  host: 'electron' | 'browser';
  version: string;
  resources?: ResourcePaths;
  env?: NodeJS.ProcessEnv;
  /** Platform pieces only one host has (safeStorage, Electron's print path). */
  platform?: ProviderPlatform;
  timing?: Partial<Timing>;
  /** Leaves kiosk mode (admin:exit-kiosk): Electron passes app.quit; default: SIGTERM to this process (the browser host's clean stop). */
  exit?: () => void;
}

export interface Kiosk {
  handlers: Handlers;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** A file the kiosk screen may show (photos and watermarked previews of live orders only). */
  media(assetId: string): { path: string; mime: string } | null;
  phoneUrl: string;
  config: KioskConfig;
  paths: DataPaths;
  resources: ResourcePaths;
  db: Db;
  orders: OrderService;
  providers: Providers;
  /** Why the sale is stopped (config problems), if it is. */
  saleGuard: SaleGuard;
  fleet: FleetModule;
  close(): Promise<void>;
}

/** Orders a family is in the middle of (remote settings wait for none). */
const LIVE_STATES = new Set<string>(statesWhere('onScreen'));

export async function createKiosk(opts: KioskOptions): Promise<Kiosk> {
  const env = opts.env ?? process.env;
  const resources = opts.resources ?? resourcePaths();
  // Before the first file is written: data folder 0700, every file in it 0600 (issue 13.5).
  const privacy = privateByDefault(opts.dataDir);
  const paths = dataPaths(opts.dataDir);
  setLogFile(join(paths.logs, 'kiosk.log'));
  if (privacy.tightened) log.info('data.permissions_tightened', { entries: privacy.tightened });
  const { config, firstRun, fileState, problems } = loadConfig(paths.root, env);
  // Fail closed: a money setting in doubt (or a chosen provider that cannot start) stops the sale.
  const saleGuard = new SaleGuard(problems);
  log.info('starting', { host: opts.host, version: opts.version, dataDir: paths.root, firstRun, providers: config.providers });

  // A broken catalogue stops start-up with the file and field named (CatalogError), before any customer sees it.
  const baseCatalog = loadCatalog(resources.assetsDir);
  const db = openDb(paths.db);
  // The operator's prices and on/off switches (admin screen) on top of assets/*.json.
  const catalogs = new CatalogState(db, baseCatalog);
  const repo = new OrdersRepo(db);
  const bus = new EventEmitter();
  bus.setMaxListeners(50);

  // What payment, AI and upload answered, for the fleet's heartbeats and success-rate alerts
  // (kept in a file: a restart loses neither the 15-minute window nor the counts since the last beat).
  const outcomes = new Outcomes({ file: join(paths.root, 'fleet-outcomes.json') });
  let phonePort = 0;
  const baseUrl = () => phoneBaseUrl(config, phonePort);
  // The simulated payment page reports a payment to the order service built just below.
  const late: { orders?: OrderService } = {};
  const providers = await createProviders({
    config,
    env,
    paths,
    resources,
    db,
    phoneBaseUrl: baseUrl,
    onSimulatedPaid: (outTradeNo) => late.orders?.money.notify(outTradeNo),
    // Print progress for the delivery screen; job keys are print-<orderId>[.aN|.rN].
    onPrintUpdate: (jobKey) => void late.orders?.session.changed(jobKey.replace(/^print-/, '').split('.')[0]!).catch(() => undefined),
    platform: opts.platform,
    guard: saleGuard,
    onUploadAttempt: (ok, code) => outcomes.record('upload', ok, code ?? undefined),
  });
  // The spooler counts paper as jobs complete; at 0 print packages are not offered (readiness).
  const { queue: printer, paper } = providers.print;
  const orders = new OrderService({
    db,
    repo,
    config,
    catalog: () => catalogs.current(),
    paths,
    checks: withCheckThresholds(providers.checks, config),
    generator: observe(providers.generator, 'ai', outcomes),
    runVariants: providers.runVariants,
    gate: providers.gate,
    aiBudget: providers.aiBudget,
    payment: observe(providers.payment, 'payment', outcomes),
    payments: providers.payments.map((p) => observe(p, 'payment', outcomes)),
    paymentMethods: () => providers.paymentMethods,
    printer,
    printLayout: providers.printLayout,
    printMedia: providers.printMedia,
    share: providers.share,
    motion: providers.motion,
    watermarkPreview: providers.watermarkPreview,
    labelDelivered: providers.labelDelivered,
    phoneBaseUrl: baseUrl,
    emit: (event, payload) => bus.emit(event, payload),
    timing: opts.timing,
  });
  late.orders = orders;

  const operator = await createAdminModule({
    config,
    paths,
    env,
    orders,
    catalog: catalogs,
    printer: providers.print.printer,
    printLayout: providers.printLayout,
    share: providers.share,
    paper,
    secrets: providers.secrets,
    version: opts.version,
    host: opts.host,
    configUsable: fileState === 'ok',
    saleGuard,
    exit: opts.exit ?? (() => process.kill(process.pid, 'SIGTERM')),
  });

  const costGuard = providers.aiBudget as unknown as { today?: () => { day: string; images: number; spentFen: number } } | undefined;
  const fleet = createFleetModule({
    config,
    dataDir: paths.root,
    db,
    version: opts.version,
    host: opts.host,
    env,
    health: () => operator.health.report(),
    outcomes,
    secrets: providers.secrets,
    aiToday: () => costGuard?.today?.() ?? null,
    paperPrinted: () => paper.get().printedTotal,
    uploadsPending: () => providers.oss?.queue.stats().pending ?? 0,
    settings: {
      db,
      repo,
      config,
      dataRoot: paths.root,
      catalog: catalogs,
      secrets: providers.secrets,
      activeProviders: { ...config.providers },
      savedProviders: () => readConfigFile(paths.root).providers,
    },
    // Remote settings wait until no family is in the middle of an order.
    idle: () => (db.prepare(`SELECT COUNT(*) AS n FROM orders WHERE state IN (${[...LIVE_STATES].map(() => '?').join(',')})`).get(...LIVE_STATES) as { n: number }).n === 0,
    // Every unsettled paid order (not only the newest page of the admin list).
    attention: () => attentionCounts(db),
  });

  const s = orders.session;
  const handlers: Handlers = {
    'app:get-catalog': async () => {
      const c = await catalogForScreen({
        config,
        catalog: () => catalogs.current(),
        free: orders.generation.free,
        printerReady: () => printer.readiness(1),
        unavailable: (packages) => operator.health.unavailable(packages),
        host: opts.host,
        version: opts.version,
      });
      // The customer screens: 暂停服务 while the sale is stopped; 演示模式 ribbon while a demo provider is active.
      return { ...c, settings: { ...c.settings, paymentMethods: orders.money.methods().filter(isPaymentMethod), saleStopped: saleGuard.view(), demo: demoProviders(config.providers).map((d) => d.kind) } };
    },
    'session:accept-consent': async ({ lang }) => {
      saleGuard.assertSelling();
      return s.acceptConsent(lang);
    },
    'order:get': ({ orderId }) => s.view(orderId),
    'order:choose-product': ({ orderId, productId, styleId, outfitId }) => s.chooseProduct(orderId, productId, styleId, outfitId),
    'capture:add-photo': ({ orderId, image }) => s.addPhoto(orderId, decodeImage(image), 'camera'),
    'capture:remove-photo': ({ orderId, photoId }) => s.removePhoto(orderId, photoId),
    'capture:guide-frame': ({ image }) => {
      operator.health.noteGuideFrame();
      return s.guideFrame(image);
    },
    'capture:phone-upload-link': ({ orderId }) => s.phoneUploadLink(orderId),
    'generate:start': ({ orderId }) => orders.generation.startTry(orderId),
    'generate:regenerate': ({ orderId }) => orders.generation.regenerate(orderId),
    'order:pick-variant': ({ orderId, index, effect }) => orders.generation.pick(orderId, index, effect ?? null),
    'payment:start': async ({ orderId, packageId, method }) => {
      saleGuard.assertSelling();
      return orders.money.start(orderId, packageId, (copies) => printer.readiness(copies), method);
    },
    'payment:cancel': ({ orderId }) => orders.money.cancel(orderId),
    'order:abandon': ({ orderId }) => s.abandon(orderId),
    ...operator.handlers,
    ...createRobotHandlers({
      db,
      secrets: fleet.secrets,
      alerter: fleet.alerter,
      guard: (token) => void operator.auth.check(token),
      setSecret: (name, value) => void operator.admin.setSecret(name, value),
      audit: (action, details) => repo.audit('admin', action, null, details),
    }),
  };

  const phone = new PhoneServer({
    repo,
    session: s,
    share: providers.share,
    lanShare: providers.lanShare,
    simPayment: providers.simPayment,
    rendererDir: resources.rendererDir,
    blessing: () => config.blessing,
    afterSalesContact: () => config.sale.afterSalesContact,
    cards: new CardService({ db, repo, resultsDir: paths.results }),
    publicBaseUrl: baseUrl,
    uploadMaxBytes: config.phone.uploadMaxBytes,
  });
  try {
    phonePort = await phone.listen(config.phone.host, config.phone.port);
  } catch (e) {
    // The configured port is taken (a second kiosk on one PC, a test run): take any free port.
    log.warn('phone.port_busy', { port: config.phone.port, error: e as Error });
    phonePort = await phone.listen(config.phone.host, 0);
  }
  log.info('phone.listening', { url: baseUrl(), lan: config.phone.host !== '127.0.0.1' });

  await orders.reconcile();
  orders.startSweeper();
  fleet.start();
  const stopRetention = scheduleRetention({ db, repo, config, share: providers.share, dirs: paths });

  return {
    handlers,
    on: (event, listener) => {
      bus.on(event, listener as (p: unknown) => void);
      return () => bus.off(event, listener as (p: unknown) => void);
    },
    media: (assetId) => screenMedia(repo, assetId),
    get phoneUrl() {
      return baseUrl();
    },
    config,
    paths,
    resources,
    db,
    orders,
    providers,
    saleGuard,
    fleet,
    close: async () => {
      stopRetention();
      await fleet.stop();
      operator.stop();
      await orders.close();
      await phone.close();
      await providers.close();
      db.close();
      log.info('stopped');
    },
  };
}

