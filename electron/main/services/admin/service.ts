// What the operator can do once unlocked. Every action lands in the audit log (actor 'admin').
// Money: a refund moves a delivered order to refund_pending through the state machine (one SQLite
// transaction with the daily-cap check), then the order service's own refund path does the rest
// with its idempotent out_refund_no, so a double tap or a crash never refunds twice.
import { join } from 'node:path';
import type { AdminOrderRow, AdminSettingsDraft, AdminSettingsView, SalesReport, SettingsIssue } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { logger } from '../../infra/log';
import type { DataPaths } from '../../infra/paths';
import type { KioskConfig } from '../config';
import type { SecretStore } from '../config/secrets';
import type { OrderService } from '../orders';
import type { PrintLayout } from '../orders/context';
import { transition } from '../orders/stateMachine';
import type { PaperCounter, PaperState } from '../print/paperCounter';
import type { Printer } from '../print/types';
import { tx } from '../store/db';
import type { CatalogState } from './catalogOverrides';
import { tryReadConfigFile } from './configFile';
import { readLogForExport } from './logs';
import { adminRefundsTodayFen, listOrders, orderRow, ordersCsv, salesReport } from './reports';
import { applySettings, SECRET_NAMES, settingsView, validateSettings, type SettingsDeps } from './settings';
import { testPageImage } from './testPage';

const log = logger('admin');

export interface AdminDeps {
  orders: OrderService;
  config: KioskConfig;
  paths: DataPaths;
  catalog: CatalogState;
  secrets: SecretStore | null;
  printer: Printer;
  printLayout: PrintLayout;
  paper: PaperCounter;
  activeProviders: KioskConfig['providers'];
  /** Leaves kiosk mode: the browser host stops its process, Electron quits the app. */
  exit: () => void;
  logFile: () => string | null;
  /** How long the test page may take; the PDF printer is instant, a real one is not. */
  testPrintTimeoutMs?: number;
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

export class AdminService {
  constructor(private readonly d: AdminDeps) {}

  private get db() {
    return this.d.orders.deps.db;
  }
  private get repo() {
    return this.d.orders.deps.repo;
  }

  private settingsDeps(): SettingsDeps {
    return {
      db: this.db,
      repo: this.repo,
      config: this.d.config,
      dataRoot: this.d.paths.root,
      catalog: this.d.catalog,
      secrets: this.d.secrets,
      activeProviders: this.d.activeProviders,
      // A file with errors: show what runs (saving is refused until the file is fixed).
      savedProviders: () => (tryReadConfigFile(this.d.paths.root) ?? this.d.config).providers,
    };
  }

  getSettings(): AdminSettingsView {
    return settingsView(this.settingsDeps());
  }

  saveSettings(draft: AdminSettingsDraft): { saved: boolean; issues: SettingsIssue[]; view: AdminSettingsView } {
    const { settings, issues } = validateSettings(draft, this.d.catalog);
    if (!settings) return { saved: false, issues, view: this.getSettings() };
    const changed = applySettings(this.settingsDeps(), settings);
    this.repo.audit('admin', 'settings_saved', null, {
      changed,
      prices: settings.packages.map((p) => `${p.id}=${p.priceFen}${p.enabled ? '' : ' off'}`),
    });
    log.info('settings.saved', { changed });
    return { saved: true, issues: [], view: this.getSettings() };
  }

  /** Write-only: stores the value, returns only whether it is set. An empty value removes it. */
  setSecret(name: string, value: string): { name: string; set: boolean } {
    if (!(SECRET_NAMES as readonly string[]).includes(name)) throw new KioskFailure('SECRET_UNKNOWN', '未知的密钥名称');
    const store = this.d.secrets;
    if (!store) throw new KioskFailure('SECRETS_UNAVAILABLE', '密钥存储不可用（请在桌面版中设置）');
    try {
      if (value.trim() === '') store.delete(name);
      else store.set(name, value.trim());
    } catch (e) {
      // A store sealed by the Electron host cannot be written without its safeStorage.
      throw new KioskFailure('SECRETS_LOCKED', `密钥无法保存：${(e as Error).name === 'SecretStoreError' ? '密钥文件已被桌面版加密，请在桌面版中设置' : '写入失败'}`);
    }
    this.repo.audit('admin', value.trim() === '' ? 'secret_removed' : 'secret_set', null, { name });
    return { name, set: store.has(name) };
  }

  listOrders(opts: { all?: boolean; limit?: number }): AdminOrderRow[] {
    return listOrders(this.db, opts);
  }

  salesReport(): SalesReport {
    return salesReport(this.db, { capFen: this.d.config.dailyRefundCapFen });
  }

  exportCsv(days = 7): { fileName: string; csv: string } {
    const csv = ordersCsv(this.db, { days });
    const stamp = new Date().toISOString().slice(0, 10);
    this.repo.audit('admin', 'csv_exported', null, { days });
    return { fileName: `${this.d.config.kioskId}-orders-${stamp}-${days}d.csv`, csv };
  }

  async reprint(orderId: string): Promise<{ printed: boolean }> {
    const row = orderRow(this.db, orderId);
    if (!row) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在');
    if (!row.canReprint) throw new KioskFailure('BAD_STATE', '该订单当前不能重新打印');
    if (row.state === 'delivering') {
      // Stuck delivery (flagged DELIVERY_STUCK): run the delivery again now instead of waiting for the sweeper.
      if (this.d.orders.delivery.isRunning(orderId)) throw new KioskFailure('BAD_STATE', '该订单正在交付中，请稍候');
      await this.d.orders.delivery.retryNow(orderId);
      const printed = this.repo.order(orderId)?.state === 'delivered';
      log.info('delivery.retried', { orderId, printed });
      return { printed };
    }
    const printed = await this.d.orders.delivery.reprint(orderId, 'admin');
    log.info('reprint.done', { orderId, printed });
    return { printed };
  }

  async refund(orderId: string, reason: string): Promise<AdminOrderRow> {
    const cap = this.d.config.dailyRefundCapFen;
    const amount = tx(this.db, () => {
      const o = this.repo.order(orderId);
      if (!o) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在');
      // Every paid trade of the order not given back yet (a second scan leaves two; a late one may be refunded already).
      const paid = this.repo.payments(orderId).filter((p) => p.state === 'paid' && p.amount_fen > 0);
      if (paid.length === 0) throw new KioskFailure('NOTHING_TO_REFUND', '该订单没有可退的款项（免费或未付款）');
      const open = paid.filter((p) => !this.repo.refundOf(p.out_trade_no));
      if (open.length === 0) throw new KioskFailure('ALREADY_REFUNDED', '该订单已退款或正在退款');
      // A stuck delivery (flagged DELIVERY_STUCK, not running right now) may be refunded too.
      const stuck = o.state === 'delivering' && orderRow(this.db, orderId)?.attention.includes('DELIVERY_STUCK') && !this.d.orders.delivery.isRunning(orderId);
      if (o.state !== 'delivered' && o.state !== 'delivery_failed' && !stuck) throw new KioskFailure('BAD_STATE', '该订单当前不能退款');
      const total = open.reduce((a, p) => a + p.amount_fen, 0);
      const used = adminRefundsTodayFen(this.db);
      if (used + total > cap) {
        throw new KioskFailure('REFUND_CAP', `已达今日退款上限（¥${yuan(cap)}，今日已退 ¥${yuan(used)}）`);
      }
      if (o.state === 'delivering') transition(this.db, orderId, 'delivery_failed', { from: ['delivering'], reason: 'operator refund of a stuck delivery' });
      transition(this.db, orderId, 'refund_pending', { from: ['delivered', 'delivery_failed'], reason: 'operator refund' });
      this.repo.audit('admin', 'refund_requested', orderId, { amountFen: total, trades: open.map((p) => p.out_trade_no), reason });
      return total;
    });
    log.info('refund.requested', { orderId, amountFen: amount });
    await this.d.orders.money.refundOrder(orderId, reason, 'admin');
    return orderRow(this.db, orderId)!;
  }

  /**
   * The operator settled the order's disputed trade(s) outside the kiosk (the merchant platform's
   * refund, or accepted the amount): recorded per trade with who and why; the kiosk moves no money.
   */
  resolveDispute(orderId: string, note: string): AdminOrderRow {
    const trades = tx(this.db, () => {
      if (!this.repo.order(orderId)) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在');
      const disputed = this.repo.payments(orderId).filter((p) => p.state === 'disputed');
      const done = this.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE order_id = ? AND action = 'dispute_resolved'").get(orderId) as { n: number };
      const open = disputed.slice(done.n);
      if (open.length === 0) throw new KioskFailure('NOTHING_TO_RESOLVE', '该订单没有待处理的金额异常');
      for (const p of open) this.repo.audit('admin', 'dispute_resolved', orderId, { outTradeNo: p.out_trade_no, provider: p.provider, note });
      return open.length;
    });
    log.info('dispute.resolved', { orderId, trades });
    return orderRow(this.db, orderId)!;
  }

  async testPrint(): Promise<{ printed: boolean; printer: string; detail: string }> {
    const printer = this.d.printer;
    this.repo.audit('admin', 'test_print', null, { printer: printer.name });
    const status = await printer.status().catch((e: Error) => ({ ready: false, code: 'ERROR', detail: e.message }));
    if (!status.ready) return { printed: false, printer: printer.name, detail: `${status.code} ${status.detail}`.trim() };
    const at = new Date();
    const jobKey = `test-${at.getTime()}`;
    const pdf = await this.d.printLayout({
      image: await testPageImage({ kioskId: this.d.config.kioskId, printer: printer.name, at }),
      outPath: join(this.d.paths.prints, `${jobKey}.pdf`),
      blessing: this.d.config.blessing,
      dateLine: at.toLocaleString('zh-CN'),
    });
    const { systemJobId } = await printer.submit({ jobKey, pdfPath: pdf.pdfPath, copies: 1, media: { widthIn: pdf.widthIn, heightIn: pdf.heightIn } });
    const deadline = Date.now() + (this.d.testPrintTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      const s = await printer.jobState(systemJobId);
      if (s === 'completed') {
        // The test page goes straight to the printer, not through the order spooler that counts paper.
        this.d.paper.consume(1);
        return { printed: true, printer: printer.name, detail: `job ${systemJobId} completed` };
      }
      if (s === 'aborted' || s === 'canceled' || s === 'stopped') return { printed: false, printer: printer.name, detail: `job ${systemJobId} ${s}` };
      await new Promise((r) => setTimeout(r, 500));
    }
    return { printed: false, printer: printer.name, detail: `job ${systemJobId} not finished in time` };
  }

  resetPaper(capacity?: number): PaperState {
    const before = this.d.paper.get();
    const s = this.d.paper.refill(capacity);
    this.repo.audit('admin', 'paper_reset', null, { before: before.remaining, capacity: s.capacity });
    return s;
  }

  exportLogs(): { fileName: string; text: string; truncated: boolean } {
    this.repo.audit('admin', 'logs_exported', null, {});
    return readLogForExport(this.d.logFile());
  }

  exitKiosk(): { exiting: true } {
    this.repo.audit('admin', 'exit_kiosk', null, {});
    log.info('exit.requested');
    // After the answer has left: the screen shows "exiting" instead of a dropped connection.
    setTimeout(() => this.d.exit(), 300).unref?.();
    return { exiting: true };
  }
}
