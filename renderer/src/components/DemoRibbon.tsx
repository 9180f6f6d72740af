// "演示模式": shown on every customer screen while any embedded demo provider runs (simulated
// payment, PDF printer, LAN share, local compositor), so nobody mistakes a demo for a real sale.
// Touches pass through it (pointer-events: none).
import { useFlow } from '../app/flow';
import { useT } from '../app/prefs';

/** One shared empty list: a selector must return the same value while nothing changed. */
const NONE: string[] = [];

export function DemoRibbon() {
  const t = useT();
  const demo = useFlow((s) => s.catalog?.settings.demo ?? NONE);
  if (demo.length === 0) return null;
  return (
    <div className="demo-ribbon" data-testid="demo-ribbon" data-kinds={demo.join(' ')} role="status">
      {t('demo.ribbon')}
    </div>
  );
}
