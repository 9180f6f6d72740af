// The catalogue the kiosk sells from: assets/*.json as shipped, with the operator's price and
// on/off changes on top. The overrides live in the settings table (not in assets/, which a
// packaged app cannot write), keyed by id, so a catalogue update keeps the operator's prices for
// packages that still exist and ignores the rest.
import { z } from 'zod';
import type { LoadedCatalog } from '../catalog';
import type { Db } from '../store/db';
import { readSetting, writeSetting } from './settingsStore';

const KEY = 'catalog.overrides';

export const CatalogOverridesSchema = z.object({
  packages: z.record(z.string(), z.object({ priceFen: z.number().int().min(0), enabled: z.boolean() })).default({}),
  styles: z.record(z.string(), z.object({ enabled: z.boolean() })).default({}),
});
export type CatalogOverrides = z.infer<typeof CatalogOverridesSchema>;

export function applyOverrides(base: LoadedCatalog, o: CatalogOverrides): LoadedCatalog {
  return {
    products: base.products,
    styles: base.styles.map((s) => {
      const x = o.styles[s.id];
      return x ? { ...s, enabled: x.enabled } : s;
    }),
    packages: base.packages.map((p) => {
      const x = o.packages[p.id];
      return x ? { ...p, priceFen: x.priceFen, enabled: x.enabled } : p;
    }),
  };
}

export class CatalogState {
  private current_: LoadedCatalog;

  constructor(
    private readonly db: Db,
    readonly base: LoadedCatalog,
  ) {
    this.current_ = applyOverrides(base, this.overrides());
  }

  overrides(): CatalogOverrides {
    return readSetting(this.db, KEY, CatalogOverridesSchema, { packages: {}, styles: {} });
  }

  /** What the next family sees. Cheap: called on every catalogue request and payment. */
  current(): LoadedCatalog {
    return this.current_;
  }

  save(o: CatalogOverrides): LoadedCatalog {
    writeSetting(this.db, KEY, o);
    this.current_ = applyOverrides(this.base, o);
    return this.current_;
  }
}
