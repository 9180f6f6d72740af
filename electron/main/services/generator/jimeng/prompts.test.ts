import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPrompt, loadPromptLibrary, REQUIRED_OUTFITS, REQUIRED_STYLES } from './prompts';

const assets = join(__dirname, '../../../../../assets');

describe('prompt library', () => {
  const lib = loadPromptLibrary(assets);

  it('has a scene for every style and a text for every outfit the catalog offers', () => {
    for (const s of REQUIRED_STYLES) expect(lib.styles[s]?.scene.length).toBeGreaterThan(4);
    for (const o of REQUIRED_OUTFITS) expect(lib.outfits[o]?.length).toBeGreaterThan(4);
  });

  it('fills scene, outfit, people and a different composition per variant, within the length limits', () => {
    const a = buildPrompt(lib, { mode: 'puzzle', styleId: 'gugong', outfitId: 'qipao', people: 4, images: 3, variant: 0 });
    const b = buildPrompt(lib, { mode: 'puzzle', styleId: 'gugong', outfitId: 'qipao', people: 4, images: 3, variant: 1 });
    expect(a).toContain('故宫');
    expect(a).toContain('旗袍');
    expect(a).toContain('图1到图3');
    expect(a).toContain('共4人');
    expect(a).not.toBe(b);
    expect(a).not.toMatch(/\{\w+\}/);
    for (const s of REQUIRED_STYLES) {
      expect(buildPrompt(lib, { mode: 'makeover', styleId: s, outfitId: null, people: 3, images: 1, variant: 3 }).length).toBeLessThanOrEqual(120);
    }
  });

  it('refuses a library with a placeholder typo, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompts-'));
    try {
      cpSync(join(assets, 'prompts'), join(dir, 'prompts'), { recursive: true });
      writeFileSync(join(dir, 'prompts', 'products.json'), JSON.stringify({ ...lib.products, makeover: { template: '背景换成{scen}', variations: ['x'] } }));
      expect(() => loadPromptLibrary(dir)).toThrow(/products\.makeover\.template: unknown placeholder/);
      writeFileSync(join(dir, 'prompts', 'styles.json'), '{');
      expect(() => loadPromptLibrary(dir)).toThrow(/styles\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
