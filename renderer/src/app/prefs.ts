// Per-customer display choices (language, large text) and the operator's volume, which persists.
import { create } from 'zustand';
import type { Lang } from '../../../electron/shared/contract';
import { translate, type MessageKey, type Vars } from '../i18n';

const VOLUME_KEY = 'kiosk.volume';
export const volumeLevels = [0, 0.4, 1] as const;

function storedVolume(): number {
  try {
    const raw = globalThis.localStorage?.getItem(VOLUME_KEY);
    const v = raw === null || raw === undefined ? NaN : Number(raw);
    return volumeLevels.includes(v as (typeof volumeLevels)[number]) ? v : 0.4;
  } catch {
    return 0.4; // storage disabled: keep the default
  }
}

export interface PrefsState {
  lang: Lang;
  largeText: boolean;
  volume: number;
  toggleLang(): void;
  toggleLargeText(): void;
  cycleVolume(): void;
  /** The next family starts in Chinese with normal text. */
  resetCustomer(): void;
}

export const usePrefs = create<PrefsState>()((set, get) => ({
  lang: 'zh',
  largeText: false,
  volume: storedVolume(),
  toggleLang: () => set({ lang: get().lang === 'zh' ? 'en' : 'zh' }),
  toggleLargeText: () => set({ largeText: !get().largeText }),
  cycleVolume: () => {
    const i = volumeLevels.indexOf(get().volume as (typeof volumeLevels)[number]);
    const volume = volumeLevels[(i + 1) % volumeLevels.length] ?? 0.4;
    try {
      globalThis.localStorage?.setItem(VOLUME_KEY, String(volume));
    } catch {
      /* not persisted; the choice still holds for this session */
    }
    set({ volume });
  },
  resetCustomer: () => set({ lang: 'zh', largeText: false }),
}));

/** t() bound to the current language; re-renders when the language changes. */
export function useT(): (key: MessageKey, vars?: Vars) => string {
  const lang = usePrefs((s) => s.lang);
  return (key, vars) => translate(lang, key, vars);
}
