import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resourcePaths } from '../infra/paths';
import { CatalogError, loadCatalog } from './catalog';

const assetsDir = resourcePaths().assetsDir;
const files = ['products.json', 'styles.json', 'packages.json'];
const dirs: string[] = [];

/** A copy of the shipped catalogue with one file edited. */
function withEdited(file: string, edit: (data: unknown) => unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  dirs.push(dir);
  for (const f of files) copyFileSync(join(assetsDir, f), join(dir, f));
  const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
  writeFileSync(join(dir, file), JSON.stringify(edit(data)));
  return dir;
}

function errorOf(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CatalogError) return e;
    throw e;
  }
  throw new Error('expected a CatalogError');
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadCatalog', () => {
  it('loads the shipped products, five styles and the packages of try-then-buy', () => {
    const c = loadCatalog(assetsDir);
    expect(c.products.map((p) => p.id)).toEqual(['puzzle', 'makeover']);
    expect(c.products.find((p) => p.id === 'puzzle')).toMatchObject({ minPhotos: 1, maxPhotos: 6 });
    expect(c.products.find((p) => p.id === 'makeover')).toMatchObject({ minPhotos: 1, maxPhotos: 1 });
    expect(c.styles.map((s) => s.id)).toEqual(['xinzhongshi', 'gugong', 'hongmu', 'oushi', 'guochao']);
    expect(c.styles.find((s) => s.id === 'gugong')?.outfits.map((o) => o.id)).toEqual(['tangzhuang', 'qipao']);
    expect(c.packages.map((p) => [p.id, p.priceFen, p.variants, p.watermark, p.print, p.download, p.motion, p.model, p.enabled])).toEqual([
      ['free', 0, 1, true, false, true, false, 'standard', true],
      ['digital', 990, 4, false, false, true, true, 'standard', true],
      ['print', 1990, 1, false, true, true, false, 'standard', true],
      ['premium', 2990, 4, false, true, true, true, 'enhanced', true],
    ]);
  });

  it('refuses a free package that would give away four or enhanced pictures', () => {
    const dir = withEdited('packages.json', (d) => {
      (d as { variants: number }[])[0]!.variants = 4;
      return d;
    });
    expect(errorOf(() => loadCatalog(dir)).message).toContain('packages.json: [0]: a free package has 1 variant from the standard model');
  });

  it('names the file and the field of a schema error', () => {
    const dir = withEdited('packages.json', (d) => {
      (d as { priceFen: unknown }[])[1]!.priceFen = 'cheap';
      return d;
    });
    const e = errorOf(() => loadCatalog(dir));
    expect(e.file).toBe('packages.json');
    expect(e.message).toMatch(/^packages\.json: \[1\]\.priceFen: /);
  });

  it('reports a nested path in a style', () => {
    const dir = withEdited('styles.json', (d) => {
      (d as { palette: unknown[] }[])[2]!.palette = ['#112233'];
      return d;
    });
    expect(errorOf(() => loadCatalog(dir)).message).toContain('styles.json: [2].palette');
  });

  it('rejects broken JSON with the file name', () => {
    const dir = withEdited('styles.json', (d) => d);
    writeFileSync(join(dir, 'styles.json'), '[{"id": "x",');
    const e = errorOf(() => loadCatalog(dir));
    expect(e.message).toMatch(/^styles\.json: not valid JSON/);
  });

  it('rejects a missing file', () => {
    const dir = withEdited('products.json', (d) => d);
    unlinkSync(join(dir, 'packages.json'));
    expect(errorOf(() => loadCatalog(dir)).message).toMatch(/^packages\.json: file not found/);
  });

  it('rejects cross-field mistakes: unknown product, bad colour, duplicate id, print without copies', () => {
    const unknownProduct = withEdited('styles.json', (d) => {
      (d as { products: string[] }[])[0]!.products = ['puzzle', 'karaoke'];
      return d;
    });
    // 'karaoke' is not a ProductId at all, so the schema itself names the field.
    expect(errorOf(() => loadCatalog(unknownProduct)).message).toContain('styles.json: [0].products[1]');

    const badColour = withEdited('styles.json', (d) => {
      (d as { palette: string[] }[])[4]!.palette = ['red', '#14A38B'];
      return d;
    });
    expect(errorOf(() => loadCatalog(badColour)).message).toContain('[4].palette[0]: "red" is not a #RRGGBB colour');

    const dupe = withEdited('packages.json', (d) => {
      const list = d as { id: string }[];
      list[2]!.id = 'digital';
      return list;
    });
    expect(errorOf(() => loadCatalog(dupe)).message).toContain('[2].id: duplicate id "digital"');

    const noCopies = withEdited('packages.json', (d) => {
      (d as { copies: number }[])[2]!.copies = 0;
      return d;
    });
    expect(errorOf(() => loadCatalog(noCopies)).message).toContain('packages.json: [2].copies');
  });

  it('rejects an empty list', () => {
    const dir = withEdited('products.json', () => []);
    expect(errorOf(() => loadCatalog(dir)).message).toContain('products.json: (root): the list is empty');
  });
});
