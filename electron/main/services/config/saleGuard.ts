// Fail closed: while a money setting (or a chosen provider's settings) is in doubt, the kiosk does
// not sell. The customer sees 暂停服务; the operator sees the bad field (health screen, log,
// the small line on the 暂停服务 screen). Consulted where a sale starts (consent, payment:start).
import { KioskFailure } from '../../../shared/result';
import { logger } from '../../infra/log';
import type { ConfigProblem } from '.';

const log = logger('sale');

export class SaleGuard {
  private readonly problems: ConfigProblem[] = [];

  constructor(problems: ConfigProblem[] = []) {
    for (const p of problems) this.add(p);
  }

  add(p: ConfigProblem): void {
    if (this.problems.some((x) => x.path === p.path && x.message === p.message)) return;
    this.problems.push(p);
    if (p.stopsSale) log.error('sale.stopped', { field: p.path, problem: p.message });
  }

  list(): ConfigProblem[] {
    return [...this.problems];
  }

  get stopped(): boolean {
    return this.problems.some((p) => p.stopsSale);
  }

  /** The fields that stop the sale (for the 暂停服务 screen's operator line), or null while selling. */
  view(): { fields: string[] } | null {
    const fields = [...new Set(this.problems.filter((p) => p.stopsSale).map((p) => p.path))];
    return fields.length > 0 ? { fields } : null;
  }

  /** Throws SALE_STOPPED (Chinese for the customer) while the sale is stopped. */
  assertSelling(): void {
    if (!this.stopped) return;
    throw new KioskFailure('SALE_STOPPED', '暂停服务：本机设置需要工作人员检查，暂时不能拍照和收款。请联系工作人员。', false);
  }
}
