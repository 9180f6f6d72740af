// What is wrong right now, as a set of conditions with stable keys: the alerter sends a message
// when a key appears, nothing while it stays, and "recovered" when it goes. One list, one place.
import type { HealthReport } from '../../../../shared/contract';
import type { Outcomes, Provider } from '../outcomes';
import type { AlertMessage } from './robots';

export interface Condition {
  key: string;
  severity: AlertMessage['severity'];
  title: string;
  lines: string[];
  /** One-off events (a crash restart) have no "recovered". */
  event?: boolean;
  /** How many things the condition is about: when it rises while the condition holds, it is sent again. */
  count?: number;
}

export interface ConditionInput {
  health: HealthReport;
  outcomes: Outcomes;
  windowMs: number;
  successRateBelow: number;
  minCalls: number;
  paperLowAt: number | null;
  /** Paid orders that need a person, by attention code (no order ids: the admin screen lists them). */
  attention: Record<string, number>;
  crashRestart: boolean;
}

const RATE_PROVIDERS: { provider: Provider; name: string }[] = [
  { provider: 'payment', name: '支付' },
  { provider: 'ai', name: 'AI 生成' },
  { provider: 'upload', name: '照片上传（OSS）' },
];

export function currentConditions(i: ConditionInput): Condition[] {
  const out: Condition[] = [];
  const item = (id: string) => i.health.items.find((x) => x.id === id);
  const paper = i.health.paper;
  const paperItem = item('paper');
  if (paper.remaining <= 0 || paperItem?.code === 'NO_PAPER') {
    out.push({ key: 'paper_out', severity: 'critical', title: '相纸用完', lines: ['打印套餐已暂停，请更换相纸后在管理界面"重置纸张"。'] });
  } else if (i.paperLowAt !== null ? paper.remaining <= i.paperLowAt : paperItem?.status === 'warn') {
    out.push({ key: 'paper_low', severity: 'warning', title: '相纸不足', lines: [`剩余 ${paper.remaining} / ${paper.capacity} 张，请尽快补充。`] });
  }
  const printer = item('printer');
  if (printer && printer.status === 'error' && printer.code !== 'NO_PAPER') {
    out.push({ key: 'printer', severity: 'critical', title: '打印机暂停或故障', lines: [`状态：${printer.code}`, '打印套餐已暂停，电子版照常销售。'] });
  }
  for (const { provider, name } of RATE_PROVIDERS) {
    const r = i.outcomes.rate(provider, i.windowMs);
    if (r.rate !== null && r.calls >= i.minCalls && r.rate < i.successRateBelow) {
      const pct = (r.rate * 100).toFixed(1);
      out.push({
        key: `rate:${provider}`,
        severity: 'critical',
        title: `${name}成功率低于 ${(i.successRateBelow * 100).toFixed(0)}%`,
        lines: [`最近 ${Math.round(i.windowMs / 60_000)} 分钟：${r.calls} 次调用，失败 ${r.failed} 次（成功率 ${pct}%）。`],
      });
    }
  }
  const disk = item('disk');
  if (disk?.status === 'error') out.push({ key: 'disk_low', severity: 'critical', title: '磁盘空间不足', lines: ['已自动清理过期照片，仍然不足，请联系维护人员。'] });
  const camera = item('camera');
  if (camera?.status === 'error') out.push({ key: 'camera_lost', severity: 'critical', title: '摄像头无法使用', lines: ['请检查摄像头连线；插回后会自动恢复。'] });
  const codes = Object.entries(i.attention).filter(([, n]) => n > 0);
  if (codes.length) {
    const total = codes.reduce((s, [, n]) => s + n, 0);
    out.push({
      key: 'paid_order_attention',
      severity: 'critical',
      count: total,
      title: `${total} 笔已付款订单需要处理`,
      lines: [codes.map(([c, n]) => `${c} × ${n}`).join('，'), '请在管理界面"订单"中处理（退款或重新打印）。'],
    });
  }
  if (i.crashRestart) out.push({ key: 'crash_restart', severity: 'warning', title: '程序异常退出后已重启', lines: ['上次运行没有正常结束（崩溃或断电）；未完成的订单已自动核对。'], event: true });
  return out;
}
