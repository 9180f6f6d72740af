// The prompt library (assets/prompts/*.json): scenes per style, clothing per outfit, templates per
// product. Data, not code, so an operator can tune wording; validated on load so a typo fails loudly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const PromptMode = z.enum(['makeover', 'puzzle', 'puzzleComposed']);
export type PromptMode = z.infer<typeof PromptMode>;

const Placeholders = ['scene', 'outfit', 'people', 'images', 'variation'];
const Template = z
  .string()
  .min(4)
  .max(800)
  .refine((t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => Placeholders.includes(m[1]!)), {
    message: `unknown placeholder (allowed: ${Placeholders.map((p) => `{${p}}`).join(' ')})`,
  });

export const PromptLibrary = z.object({
  styles: z.record(z.string(), z.object({ scene: z.string().min(2).max(300), extra: z.record(z.string(), z.string().max(200)).optional() })),
  outfits: z.record(z.string(), z.string().min(2).max(200)),
  products: z.object({
    makeover: z.object({ template: Template, variations: z.array(z.string().max(100)).min(1) }),
    puzzle: z.object({ template: Template, variations: z.array(z.string().max(100)).min(1) }),
    puzzleComposed: z.object({ template: Template, variations: z.array(z.string().max(100)).min(1) }),
  }),
});
export type PromptLibrary = z.infer<typeof PromptLibrary>;

export const REQUIRED_STYLES = ['xinzhongshi', 'gugong', 'hongmu', 'oushi', 'guochao'] as const;
export const REQUIRED_OUTFITS = ['tangzhuang', 'qipao'] as const;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`prompt library: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Reads and validates <assetsDir>/prompts/{styles,outfits,products}.json. Throws an Error naming the file and field. */
export function loadPromptLibrary(assetsDir: string): PromptLibrary {
  const dir = join(assetsDir, 'prompts');
  const parsed = PromptLibrary.safeParse({
    styles: readJson(join(dir, 'styles.json')),
    outfits: readJson(join(dir, 'outfits.json')),
    products: readJson(join(dir, 'products.json')),
  });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`prompt library ${dir}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export interface PromptArgs {
  mode: PromptMode;
  styleId: string;
  outfitId: string | null;
  /** People expected in the picture (faces in the input photos). */
  people: number;
  /** Input images (puzzle: 图1…图N). */
  images: number;
  /** Variant slot: picks the composition variation. */
  variant: number;
}

/** Fills the product template. Unknown style → the first style's scene (the catalog and the library may drift). */
export function buildPrompt(lib: PromptLibrary, a: PromptArgs): string {
  const product = lib.products[a.mode];
  const style = lib.styles[a.styleId] ?? Object.values(lib.styles)[0];
  const scene = style?.scene ?? '喜庆的中国新年场景';
  const outfit = a.outfitId ? (lib.outfits[a.outfitId] ?? '') : '保持原有服装';
  const variation = product.variations[((a.variant % product.variations.length) + product.variations.length) % product.variations.length] ?? '';
  const extra = style?.extra?.[a.mode] ?? '';
  const text = product.template
    .replaceAll('{scene}', scene)
    .replaceAll('{outfit}', outfit)
    .replaceAll('{people}', String(Math.max(1, a.people)))
    .replaceAll('{images}', String(Math.max(1, a.images)))
    .replaceAll('{variation}', variation)
    .replace(/。{2,}/g, '。');
  return (extra ? `${text}${extra}` : text).slice(0, 800);
}
