// The kiosk shell: loads the catalogue, listens for order events, counts touches for the idle
// timeout and shows the screen for the current phase.
import { useEffect, type ReactElement } from 'react';
import { AdminScreen } from '../admin/AdminScreen';
import { chime } from '../audio/cues';
import { getKiosk } from '../platform/bridge';
import { DemoRibbon } from '../components/DemoRibbon';
import { SaleStopped } from '../components/SaleStopped';
import { AttractScreen } from '../screens/AttractScreen';
import { CaptureScreen } from '../screens/CaptureScreen';
import { ConsentScreen } from '../screens/ConsentScreen';
import { DeliverScreen } from '../screens/DeliverScreen';
import { GeneratingScreen } from '../screens/GeneratingScreen';
import { PackageScreen } from '../screens/PackageScreen';
import { PayScreen } from '../screens/PayScreen';
import { PickScreen } from '../screens/PickScreen';
import { ProductScreen } from '../screens/ProductScreen';
import { StyleScreen } from '../screens/StyleScreen';
import { ThanksScreen } from '../screens/ThanksScreen';
import { useFlow } from './flow';
import type { Phase } from './phase';
import { usePrefs, useT } from './prefs';
import { useIdleReset } from './useIdleReset';

const screens: Record<Phase, () => ReactElement> = {
  attract: AttractScreen,
  consent: ConsentScreen,
  product: ProductScreen,
  style: StyleScreen,
  capture: CaptureScreen,
  generating: GeneratingScreen,
  pick: PickScreen,
  package: PackageScreen,
  pay: PayScreen,
  deliver: DeliverScreen,
  thanks: ThanksScreen,
  admin: AdminScreen,
};

const CATALOG_RETRY_MS = 5000;

function useCatalog(phase: Phase): void {
  // Reloaded on every return to attract, so the operator's price or style changes reach the next
  // family; and on any screen while there is none yet (main was still starting).
  const missing = useFlow((s) => s.catalog === null);
  useEffect(() => {
    if (phase !== 'attract' && !missing) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const r = await getKiosk().invoke('app:get-catalog', {});
      if (stop) return;
      if (r.ok) useFlow.getState().setCatalog(r.value);
      else timer = setTimeout(() => void load(), CATALOG_RETRY_MS);
    };
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [phase, missing]);
}

function useOrderEvents(): void {
  useEffect(() => {
    const kiosk = getKiosk();
    const offChanged = kiosk.on('order:changed', (order) => useFlow.getState().orderFrom('event', order));
    const offUploaded = kiosk.on('capture:photo-uploaded', ({ orderId, photo }) => {
      if (useFlow.getState().order?.id === orderId) chime();
      useFlow.getState().photoUploaded(orderId, photo);
    });
    return () => {
      offChanged();
      offUploaded();
    };
  }, []);
}

/** While the AI works, visible progress counts as activity: nobody touches a progress bar. */
function useProgressIsActivity(phase: Phase): void {
  const updatedAt = useFlow((s) => s.order?.updatedAt);
  useEffect(() => {
    if (phase === 'generating' && updatedAt) useFlow.getState().touch();
  }, [phase, updatedAt]);
}

function IdleWarning({ seconds }: { seconds: number }) {
  const t = useT();
  return (
    <div className="idle-warning" data-testid="idle-warning">
      <div className="idle-card">
        <p>{t('idle.stillThere', { n: seconds })}</p>
        <button type="button" className="btn btn-primary" data-testid="idle-stay">
          {t('idle.stay')}
        </button>
      </div>
    </div>
  );
}

export function App() {
  const phase = useFlow((s) => s.phase);
  const lang = usePrefs((s) => s.lang);
  const largeText = usePrefs((s) => s.largeText);
  const warning = useIdleReset();
  useCatalog(phase);
  useOrderEvents();
  useProgressIsActivity(phase);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.documentElement.classList.toggle('large-text', largeText);
  }, [lang, largeText]);

  const Current = screens[phase];
  // Fail closed: while main refuses to sell, the attract loop is replaced by 暂停服务.
  const stopped = useFlow((s) => s.catalog?.settings.saleStopped ?? null);
  return (
    // Capture phase: every touch anywhere (even on a disabled button) restarts the idle clock.
    <div className="kiosk" onPointerDownCapture={() => useFlow.getState().touch()} data-phase={phase}>
      {stopped && phase === 'attract' ? <SaleStopped fields={stopped.fields} /> : <Current key={phase} />}
      {phase !== 'admin' && <DemoRibbon />}
      {warning !== null && <IdleWarning seconds={warning} />}
    </div>
  );
}
