// The operator's catalogue (products, styles, packages) is data in assets/*.json. It is read once at
// start-up and validated with the contract's own schemas, so a typo in a price or a palette stops the
// kiosk with a message that names the file and the field instead of surfacing later on a customer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Package, Product, Style } from '../../shared/contract';

export interface LoadedCatalog {
  products: Product[];
  styles: Style[];
  packages: Package[];
}

/** Thrown for a missing, unreadable or invalid catalogue file; `file` is the file name, `issues` one line per problem. */
export class CatalogError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${issues.join('; ')}`);
    this.name = 'CatalogError';
  }
}

const HexColour = /^#[0-9A-Fa-f]{6}$/;

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function readJson(assetsDir: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(assetsDir, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CatalogError(file, [code === 'ENOENT' ? `file not found in ${assetsDir}` : `cannot read file (${code})`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CatalogError(file, [`not valid JSON (${(e as Error).message})`]);
  }
}

function parseList<T extends z.ZodType>(file: string, schema: T, data: unknown): z.infer<T>[] {
  const parsed = z.array(schema).min(1, 'the list is empty').safeParse(data);
  if (!parsed.success) {
    throw new CatalogError(
      file,
      parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
  }
  const ids = new Set<string>();
  const dupes: string[] = [];
  parsed.data.forEach((item, idx) => {
    const id = (item as { id: string }).id;
    if (ids.has(id)) dupes.push(`[${idx}].id: duplicate id "${id}"`);
    ids.add(id);
  });
  if (dupes.length) throw new CatalogError(file, dupes);
  return parsed.data;
}

/** Rules the zod schemas cannot express because they span fields or files. */
function crossCheck(c: LoadedCatalog): void {
  const productIssues: string[] = [];
  c.products.forEach((p, i) => {
    if (p.minPhotos > p.maxPhotos) productIssues.push(`[${i}].minPhotos: ${p.minPhotos} is more than maxPhotos ${p.maxPhotos}`);
  });
  if (productIssues.length) throw new CatalogError('products.json', productIssues);

  const known = new Set(c.products.map((p) => p.id));
  const styleIssues: string[] = [];
  c.styles.forEach((s, i) => {
    s.palette.forEach((col, j) => {
      if (!HexColour.test(col)) styleIssues.push(`[${i}].palette[${j}]: "${col}" is not a #RRGGBB colour`);
    });
    s.products.forEach((p, j) => {
      if (!known.has(p)) styleIssues.push(`[${i}].products[${j}]: product "${p}" is not in products.json`);
    });
    const outfitIds = new Set<string>();
    s.outfits.forEach((o, j) => {
      if (outfitIds.has(o.id)) styleIssues.push(`[${i}].outfits[${j}].id: duplicate outfit "${o.id}"`);
      outfitIds.add(o.id);
    });
  });
  if (styleIssues.length) throw new CatalogError('styles.json', styleIssues);

  const packageIssues: string[] = [];
  c.packages.forEach((p, i) => {
    if (p.print && p.copies < 1) packageIssues.push(`[${i}].copies: a printed package needs at least 1 copy`);
    if (!p.print && !p.download) packageIssues.push(`[${i}]: a package must print or download (or both)`);
    // A free package is the one watermarked try: it must never unlock paid AI spend.
    if (p.priceFen === 0 && (p.variants !== 1 || p.model !== 'standard')) packageIssues.push(`[${i}]: a free package has 1 variant from the standard model`);
  });
  if (packageIssues.length) throw new CatalogError('packages.json', packageIssues);
}

/**
 * Loads and validates assets/products.json, styles.json and packages.json (each a JSON array).
 * Throws CatalogError with the file name and the path of every bad field.
 */
export function loadCatalog(assetsDir: string): LoadedCatalog {
  const products = parseList('products.json', Product, readJson(assetsDir, 'products.json'));
  const styles = parseList('styles.json', Style, readJson(assetsDir, 'styles.json'));
  const packages = parseList('packages.json', Package, readJson(assetsDir, 'packages.json'));
  const catalog = { products, styles, packages };
  crossCheck(catalog);
  return catalog;
}
