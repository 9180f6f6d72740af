// Builds the operator's side of the kiosk for the composition root (app.ts): PIN and sessions,
// the admin service, the health service, and the admin/health handlers of the contract.
import { logFilePath } from '../../infra/log';
import type { DataPaths } from '../../infra/paths';
import type { ChecksService } from '../checks/types';
import type { KioskConfig } from '../config';
import type { SecretStore } from '../config/secrets';
import type { SaleGuard } from '../config/saleGuard';
import { HealthService } from '../health';
import type { OrderService } from '../orders';
import type { PrintLayout } from '../orders/context';
import type { PaperCounter } from '../print/paperCounter';
import type { Printer } from '../print/types';
import { runRetention } from '../retention';
import type { ShareStore } from '../share/types';
import { AdminAuth, ensureAdminPin } from './auth';
import type { CatalogState } from './catalogOverrides';
import { createAdminHandlers, type AdminHandlers } from './handlers';
import { AdminService } from './service';
import { checkThresholds, diskMinFreeMb } from './settings';

export { CatalogState } from './catalogOverrides';
export { checkThresholds } from './settings';
export type { AdminHandlers } from './handlers';

/** Every photo check uses the operator's current face thresholds (read on each call). */
export function withCheckThresholds(checks: ChecksService, config: KioskConfig): ChecksService {
  return {
    checkPhoto: (image, t) => checks.checkPhoto(image, { ...checkThresholds(config), ...t }),
    detectFaces: (image) => checks.detectFaces(image),
    guideFrame: (image) => checks.guideFrame(image),
    close: () => checks.close(),
  };
}

export interface AdminModuleOptions {
  config: KioskConfig;
  paths: DataPaths;
  env: NodeJS.ProcessEnv;
  orders: OrderService;
  catalog: CatalogState;
  printer: Printer;
  printLayout: PrintLayout;
  share: ShareStore;
  paper: PaperCounter;
  secrets: SecretStore | null;
  version: string;
  host: 'electron' | 'browser';
  exit: () => void;
  /** Print the generated first-run PIN (stdout by default; never the log file). */
  announce?: (line: string) => void;
  /** False when config.json has errors: no new PIN is issued, nothing is written to it. */
  configUsable?: boolean;
  /** Config problems and the stopped sale (health: the `config` item names the fields). */
  saleGuard?: SaleGuard;
}

export interface AdminModule {
  handlers: AdminHandlers;
  auth: AdminAuth;
  admin: AdminService;
  health: HealthService;
  stop(): void;
}

export async function createAdminModule(o: AdminModuleOptions): Promise<AdminModule> {
  const { db, repo } = o.orders.deps;
  await ensureAdminPin({ config: o.config, dataRoot: o.paths.root, env: o.env, announce: o.announce, configUsable: o.configUsable });
  const auth = new AdminAuth({ db, repo, config: o.config, dataRoot: o.paths.root, env: o.env });
  const activeProviders = { ...o.config.providers };
  const health = new HealthService({
    providers: activeProviders,
    config: o.config,
    env: o.env,
    printer: o.printer,
    paper: o.paper,
    dataRoot: o.paths.root,
    version: o.version,
    host: o.host,
    diskMinFreeMb: () => diskMinFreeMb(db),
    cleanup: () => runRetention({ db, repo, config: o.config, share: o.share, dirs: o.paths }),
    packages: () => o.catalog.current().packages,
    configProblems: () => o.saleGuard?.list() ?? [],
  });
  health.start();
  const admin = new AdminService({
    orders: o.orders,
    config: o.config,
    paths: o.paths,
    catalog: o.catalog,
    secrets: o.secrets,
    printer: o.printer,
    printLayout: o.printLayout,
    paper: o.paper,
    activeProviders,
    exit: o.exit,
    logFile: logFilePath,
  });
  return { handlers: createAdminHandlers({ auth, admin, health }), auth, admin, health, stop: () => health.stop() };
}
