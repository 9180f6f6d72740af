// The fleet report as one self-contained HTML page (inline SVG charts, no scripts, no network) and
// CSV files for a spreadsheet. Money in yuan with two decimals; every chart has its numbers in a
// table or a title tooltip so nothing is only a colour.
import type { DailySummary } from '../docs';
import type { FleetData, KioskView } from './read';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const yuan = (fen: number) => (fen / 100).toFixed(2);
const yuan0 = (fen: number) => Math.round(fen / 100).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const PROVIDERS = ['payment', 'ai', 'upload'] as const;
const COLORS = { payment: '#2b6cb0', ai: '#c05621', upload: '#2f855a' } as const;

interface Totals {
  visitors: number;
  consents: number;
  generated: number;
  picked: number;
  paid: number;
  salesFen: number;
  refundsFen: number;
  aiCostFen: number;
  aiImages: number;
  paper: number;
  calls: Record<string, { ok: number; failed: number }>;
}

function totals(ds: DailySummary[]): Totals {
  const t: Totals = { visitors: 0, consents: 0, generated: 0, picked: 0, paid: 0, salesFen: 0, refundsFen: 0, aiCostFen: 0, aiImages: 0, paper: 0, calls: {} };
  for (const d of ds) {
    t.visitors += d.visitors;
    t.consents += d.consents;
    t.generated += d.generated;
    t.picked += d.picked;
    t.paid += d.paidOrders;
    t.salesFen += d.salesFen;
    t.refundsFen += d.refunds.fen;
    t.aiCostFen += d.aiCostFen;
    t.aiImages += d.aiImages;
    t.paper += d.paperUsed;
    for (const [p, c] of Object.entries(d.calls)) {
      const x = (t.calls[p] ??= { ok: 0, failed: 0 });
      x.ok += c.ok;
      x.failed += c.failed;
    }
  }
  return t;
}

function heatmap(title: string, data: FleetData, value: (d: DailySummary) => number, color: [number, number, number], unit: (v: number) => string): string {
  const cell = 14;
  const left = 90;
  const top = 34;
  const w = left + data.days.length * cell + 20;
  const h = top + data.kiosks.length * cell + 10;
  let max = 0;
  for (const k of data.kiosks) for (const d of k.daily) max = Math.max(max, value(d));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`];
  data.days.forEach((day, i) => {
    if (i % 5 === 0 || i === data.days.length - 1) parts.push(`<text x="${left + i * cell}" y="${top - 8}" font-size="10" fill="#555">${day.slice(5)}</text>`);
  });
  data.kiosks.forEach((k, r) => {
    const y = top + r * cell;
    parts.push(`<text x="${left - 6}" y="${y + 11}" font-size="10" text-anchor="end" fill="${k.stale ? '#c53030' : '#333'}">${esc(k.kioskId)}</text>`);
    const byDay = new Map(k.daily.map((d) => [d.day, d]));
    data.days.forEach((day, i) => {
      const d = byDay.get(day);
      const v = d ? value(d) : null;
      const a = v === null || max === 0 ? 0 : 0.08 + 0.92 * (v / max);
      const fill = v === null ? '#eee' : `rgba(${color.join(',')},${a.toFixed(3)})`;
      parts.push(`<rect x="${left + i * cell}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${esc(k.kioskId)} ${day}: ${v === null ? 'no summary' : unit(v)}</title></rect>`);
    });
  });
  parts.push('</svg>');
  return `<figure><figcaption>${esc(title)} <span class="muted">(max ${unit(max)} per kiosk-day; grey: no summary)</span></figcaption>${parts.join('')}</figure>`;
}

function dailyLines(data: FleetData): string {
  // Fleet sales and AI cost per day (two lines, one axis in yuan).
  const w = 900;
  const h = 240;
  const l = 60;
  const b = 30;
  const sales = data.days.map((day) => data.kiosks.reduce((s, k) => s + (k.daily.find((d) => d.day === day)?.salesFen ?? 0), 0));
  const ai = data.days.map((day) => data.kiosks.reduce((s, k) => s + (k.daily.find((d) => d.day === day)?.aiCostFen ?? 0), 0));
  const max = Math.max(1, ...sales);
  const x = (i: number) => l + (i * (w - l - 20)) / Math.max(1, data.days.length - 1);
  const y = (v: number) => h - b - (v / max) * (h - b - 20);
  const path = (vs: number[]) => vs.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<line x1="${l}" x2="${w - 20}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#e2e8f0"/><text x="${l - 6}" y="${y(max * f) + 4}" font-size="10" text-anchor="end" fill="#555">¥${yuan0(max * f)}</text>`);
  const labels = data.days.map((d, i) => (i % 5 === 0 || i === data.days.length - 1 ? `<text x="${x(i)}" y="${h - 10}" font-size="10" text-anchor="middle" fill="#555">${d.slice(5)}</text>` : '')).join('');
  const dots = (vs: number[], c: string, name: string) => vs.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="2.5" fill="${c}"><title>${data.days[i]} ${name} ¥${yuan(v)}</title></circle>`).join('');
  return `<figure><figcaption>Fleet sales and AI cost per day</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${ticks.join('')}${labels}
<path d="${path(sales)}" fill="none" stroke="#2b6cb0" stroke-width="2"/>${dots(sales, '#2b6cb0', 'sales')}
<path d="${path(ai)}" fill="none" stroke="#c05621" stroke-width="2"/>${dots(ai, '#c05621', 'AI cost')}
<rect x="${l + 10}" y="8" width="10" height="10" fill="#2b6cb0"/><text x="${l + 24}" y="17" font-size="11">sales</text>
<rect x="${l + 80}" y="8" width="10" height="10" fill="#c05621"/><text x="${l + 94}" y="17" font-size="11">AI cost</text></svg></figure>`;
}

function funnel(t: Totals): string {
  const steps: [string, number][] = [
    ['visitors (started)', t.visitors],
    ['consented', t.consents],
    ['saw AI previews', t.generated],
    ['picked a picture', t.picked],
    ['paid', t.paid],
  ];
  const w = 700;
  const max = Math.max(1, steps[0]![1]);
  const rows = steps
    .map(([name, v], i) => {
      const bw = (v / max) * (w - 260);
      const y = 10 + i * 34;
      const share = i === 0 ? '' : ` · ${pct(v / Math.max(1, steps[i - 1]![1]))} of previous`;
      return `<text x="150" y="${y + 17}" font-size="12" text-anchor="end">${name}</text><rect x="160" y="${y}" width="${bw.toFixed(1)}" height="24" fill="#3182ce" opacity="${(1 - i * 0.13).toFixed(2)}"/><text x="${166 + bw}" y="${y + 17}" font-size="11" fill="#333">${v.toLocaleString('en-US')} (${pct(v / max)}${share})</text>`;
    })
    .join('');
  return `<figure><figcaption>Visitor → paid funnel (all kiosks, whole period)</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${w + 120}" height="${steps.length * 34 + 14}">${rows}</svg></figure>`;
}

function failureChart(data: FleetData): string {
  const w = 900;
  const h = 220;
  const l = 60;
  const b = 30;
  const rates = PROVIDERS.map((p) =>
    data.days.map((day) => {
      let ok = 0;
      let failed = 0;
      for (const k of data.kiosks) {
        const c = k.daily.find((d) => d.day === day)?.calls[p];
        if (c) {
          ok += c.ok;
          failed += c.failed;
        }
      }
      return ok + failed ? failed / (ok + failed) : 0;
    }),
  );
  const max = Math.max(0.02, ...rates.flat());
  const x = (i: number) => l + (i * (w - l - 20)) / Math.max(1, data.days.length - 1);
  const y = (v: number) => h - b - (v / max) * (h - b - 20);
  const ticks = [0, 0.5, 1].map((f) => `<line x1="${l}" x2="${w - 20}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#e2e8f0"/><text x="${l - 6}" y="${y(max * f) + 4}" font-size="10" text-anchor="end" fill="#555">${pct(max * f)}</text>`);
  const slo = 0.01 <= max ? `<line x1="${l}" x2="${w - 20}" y1="${y(0.01)}" y2="${y(0.01)}" stroke="#c53030" stroke-dasharray="4 3"/><text x="${w - 22}" y="${y(0.01) - 4}" font-size="10" text-anchor="end" fill="#c53030">1% (99% success target)</text>` : '';
  const lines = PROVIDERS.map((p, pi) => {
    const d = rates[pi]!.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dots = rates[pi]!.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="2" fill="${COLORS[p]}"><title>${data.days[i]} ${p} failures ${pct(v)}</title></circle>`).join('');
    return `<path d="${d}" fill="none" stroke="${COLORS[p]}" stroke-width="2"/>${dots}<rect x="${l + 10 + pi * 90}" y="6" width="10" height="10" fill="${COLORS[p]}"/><text x="${l + 24 + pi * 90}" y="15" font-size="11">${p}</text>`;
  }).join('');
  const labels = data.days.map((d, i) => (i % 5 === 0 || i === data.days.length - 1 ? `<text x="${x(i)}" y="${h - 10}" font-size="10" text-anchor="middle" fill="#555">${d.slice(5)}</text>` : '')).join('');
  return `<figure><figcaption>Failure rate per provider per day (all kiosks)</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${ticks.join('')}${slo}${labels}${lines}</svg></figure>`;
}

function paperChart(data: FleetData): string {
  const rows = data.kiosks.map((k) => ({ id: k.kioskId, used: k.daily.reduce((s, d) => s + d.paperUsed, 0), remaining: k.latest?.paper.remaining ?? null, capacity: k.latest?.paper.capacity ?? null, days: k.daily.length }));
  const max = Math.max(1, ...rows.map((r) => r.used));
  const bar = 12;
  const w = 900;
  const left = 90;
  const body = rows
    .map((r, i) => {
      const y = 4 + i * (bar + 3);
      const bw = (r.used / max) * 420;
      const perDay = r.days ? r.used / r.days : 0;
      const daysLeft = r.remaining !== null && perDay > 0 ? Math.floor(r.remaining / perDay) : null;
      const warn = daysLeft !== null && daysLeft < 3;
      return `<text x="${left - 6}" y="${y + 10}" font-size="10" text-anchor="end">${esc(r.id)}</text><rect x="${left}" y="${y}" width="${bw.toFixed(1)}" height="${bar}" fill="#805ad5"/><text x="${left + bw + 4}" y="${y + 10}" font-size="10" fill="${warn ? '#c53030' : '#333'}">${r.used} sheets · ${r.remaining ?? '?'} left${daysLeft !== null ? ` ≈ ${daysLeft} days` : ''}</text>`;
    })
    .join('');
  return `<figure><figcaption>Paper used per kiosk (whole period) and what is left (red: under 3 days at the current pace)</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${rows.length * (bar + 3) + 8}">${body}</svg></figure>`;
}

function kioskRow(k: KioskView): string {
  const t = totals(k.daily);
  const issues = k.latest ? Object.entries(k.latest.health).filter(([, v]) => v.status !== 'ok').map(([p, v]) => `${p}:${v.code}`) : [];
  const status = !k.latest ? '<span class="bad">no heartbeat</span>' : k.stale ? `<span class="bad">SILENT ${k.silentMin} min</span>` : `<span class="good">${k.silentMin} min ago</span>`;
  return `<tr class="${k.stale ? 'stale' : ''}"><td>${esc(k.kioskId)}</td><td>${esc(k.latest?.group ?? '')}</td><td>${status}</td><td>${esc(k.latest?.version ?? '')}</td><td>${esc(issues.join(', ') || '—')}</td><td class="n">${t.visitors}</td><td class="n">${t.paid}</td><td class="n">${yuan(t.salesFen)}</td><td class="n">${yuan(t.aiCostFen)}</td><td class="n">${t.visitors ? pct(t.paid / t.visitors) : '—'}</td><td class="n">${k.latest?.paper.remaining ?? '?'}</td><td>${k.refused.length ? `<span class="bad">${k.refused.length} refused</span>` : ''}</td></tr>`;
}

export function renderHtml(data: FleetData, opts: { demo?: boolean; title?: string } = {}): string {
  const all = data.kiosks.flatMap((k) => k.daily);
  const t = totals(all);
  const stale = data.kiosks.filter((k) => k.stale);
  const refused = data.kiosks.flatMap((k) => k.refused.map((r) => ({ kioskId: k.kioskId, ...r })));
  const sorted = [...data.kiosks].sort((a, b) => Number(b.stale) - Number(a.stale) || a.kioskId.localeCompare(b.kioskId));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(opts.title ?? 'Fleet report')}</title><style>
body{font-family:"Noto Sans CJK SC","Noto Sans",Arial,sans-serif;margin:24px;color:#1a202c;background:#fff}
h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.muted{color:#718096;font-weight:normal;font-size:12px}.demo{background:#c53030;color:#fff;padding:6px 12px;display:inline-block;font-weight:bold;margin:8px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.card{border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px;min-width:130px}.card b{display:block;font-size:22px}
.alert{background:#fff5f5;border:1px solid #feb2b2;padding:8px 12px;border-radius:6px;margin:8px 0}
table{border-collapse:collapse;font-size:12px}td,th{border-bottom:1px solid #edf2f7;padding:3px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.stale td{background:#fff5f5}.bad{color:#c53030;font-weight:bold}.good{color:#2f855a}figure{margin:12px 0}figcaption{font-weight:bold;margin-bottom:6px}
</style></head><body>
<h1>${esc(opts.title ?? '团圆照相馆 · fleet report')}</h1>
<div class="muted">Generated ${esc(data.generatedAt)} · ${data.kiosks.length} kiosks · ${data.days[0]} … ${data.days.at(-1)} (${data.days.length} days) · ${data.objectsRead} objects read${data.cacheHits ? `, ${data.cacheHits} from cache` : ''}</div>
${opts.demo ? '<div class="demo">DEMO DATA — simulated fleet on the local fake OSS</div>' : ''}
<div class="cards">
<div class="card">Sales<b>¥${yuan0(t.salesFen)}</b></div><div class="card">AI cost<b>¥${yuan0(t.aiCostFen)}</b>${t.salesFen ? `${pct(t.aiCostFen / t.salesFen)} of sales` : ''}</div>
<div class="card">Paid orders<b>${t.paid.toLocaleString('en-US')}</b></div><div class="card">Visitors<b>${t.visitors.toLocaleString('en-US')}</b>${t.visitors ? `${pct(t.paid / t.visitors)} paid` : ''}</div>
<div class="card">Refunds<b>¥${yuan0(t.refundsFen)}</b></div><div class="card">Paper used<b>${t.paper.toLocaleString('en-US')}</b>sheets</div>
<div class="card">Silent &gt; 10 min<b class="${stale.length ? 'bad' : 'good'}">${stale.length}</b></div>
</div>
${stale.length ? `<div class="alert"><b>Kiosks without a heartbeat for more than 10 minutes:</b> ${stale.map((k) => `${esc(k.kioskId)} (${k.silentMin === null ? 'never' : `${k.silentMin} min`})`).join(', ')}</div>` : ''}
${refused.length ? `<div class="alert"><b>Documents refused (bad signature or shape):</b> ${refused.slice(0, 20).map((r) => `${esc(r.key)}: ${esc(r.reason)}`).join('; ')}</div>` : ''}
<h2>Sales and AI cost</h2>
${dailyLines(data)}
${heatmap('Sales per kiosk per day', data, (d) => d.salesFen, [43, 108, 176], (v) => `¥${yuan(v)}`)}
${heatmap('AI cost per kiosk per day', data, (d) => d.aiCostFen, [192, 86, 33], (v) => `¥${yuan(v)}`)}
<h2>Funnel</h2>
${funnel(t)}
<h2>Failures</h2>
${failureChart(data)}
<table><tr><th>provider</th><th>calls</th><th>failed</th><th>success</th></tr>${PROVIDERS.map((p) => {
    const c = t.calls[p] ?? { ok: 0, failed: 0 };
    const n = c.ok + c.failed;
    return `<tr><td>${p}</td><td class="n">${n}</td><td class="n">${c.failed}</td><td class="n ${n && c.ok / n < 0.99 ? 'bad' : ''}">${n ? pct(c.ok / n) : '—'}</td></tr>`;
  }).join('')}</table>
<h2>Paper</h2>
${paperChart(data)}
<h2>Kiosks</h2>
<table><tr><th>kiosk</th><th>group</th><th>last heartbeat</th><th>version</th><th>health now</th><th>visitors</th><th>paid</th><th>sales ¥</th><th>AI cost ¥</th><th>conversion</th><th>paper left</th><th></th></tr>
${sorted.map(kioskRow).join('\n')}</table>
</body></html>`;
}

const csvCell = (v: unknown) => {
  const s = String(v ?? '');
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const csv = (rows: unknown[][]) => '\ufeff' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

export function renderCsv(data: FleetData): { 'daily.csv': string; 'kiosks.csv': string } {
  const daily: unknown[][] = [['kiosk', 'group', 'day', 'final', 'visitors', 'consents', 'photos', 'previews', 'generated', 'picked', 'paid_orders', 'sales_yuan', 'refunds', 'refunds_yuan', 'ai_images', 'ai_cost_yuan', 'paper_used', 'payment_calls', 'payment_failed', 'ai_calls', 'ai_failed', 'upload_calls', 'upload_failed', 'heartbeats', 'crash_restarts']];
  for (const k of data.kiosks)
    for (const d of k.daily) {
      const c = (p: 'payment' | 'ai' | 'upload') => d.calls[p] ?? { ok: 0, failed: 0 };
      daily.push([k.kioskId, d.group, d.day, d.final ? 1 : 0, d.visitors, d.consents, d.photos, d.previews, d.generated, d.picked, d.paidOrders, yuan(d.salesFen), d.refunds.count, yuan(d.refunds.fen), d.aiImages, yuan(d.aiCostFen), d.paperUsed, c('payment').ok + c('payment').failed, c('payment').failed, c('ai').ok + c('ai').failed, c('ai').failed, c('upload').ok + c('upload').failed, c('upload').failed, d.heartbeats, d.crashRestarts]);
    }
  const kiosks: unknown[][] = [['kiosk', 'group', 'version', 'last_heartbeat', 'silent_min', 'stale', 'paper_remaining', 'visitors', 'paid_orders', 'sales_yuan', 'ai_cost_yuan', 'paper_used', 'health_issues', 'refused_documents']];
  for (const k of data.kiosks) {
    const t = totals(k.daily);
    const issues = k.latest ? Object.entries(k.latest.health).filter(([, v]) => v.status !== 'ok').map(([p, v]) => `${p}:${v.code}`).join(' ') : '';
    kiosks.push([k.kioskId, k.latest?.group ?? '', k.latest?.version ?? '', k.latest?.at ?? '', k.silentMin ?? '', k.stale ? 1 : 0, k.latest?.paper.remaining ?? '', t.visitors, t.paid, yuan(t.salesFen), yuan(t.aiCostFen), t.paper, issues, k.refused.length]);
  }
  return { 'daily.csv': csv(daily), 'kiosks.csv': csv(kiosks) };
}
