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
  // Price and on/off, and (issue 15) the package's contents; absent fields keep the shipped value.
  packages: z
    .record(
      z.string(),
      z.object({
        priceFen: z.number().int().min(0),
        enabled: z.boolean(),
        variants: z.union([z.literal(1), z.literal(4)]).optional(),
        watermark: z.boolean().optional(),
        motion: z.boolean().optional(),
        print: z.boolean().optional(),
        copies: z.number().int().min(0).max(10).optional(),
        model: z.enum(['standard', 'enhanced']).optional(),
      }),
    )
    .default({}),
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
      if (!x) return p;
      const next = { ...p, ...Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) };
      // A free package is only ever the one watermarked try (catalog.ts rule): never four free AI pictures.
      if (next.priceFen === 0) Object.assign(next, { variants: 1, model: 'standard' });
      if (next.print && next.copies < 1) next.copies = 1;
      return next;
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
