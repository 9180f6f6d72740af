// Regenerates assets/samples/ (the attract loop's showcase) with the local generator itself, from
// the public-domain test portrait, through the same checks and AIGC labelling as a real order.
// Run: npm run samples:make  [-- --fixtures DIR]   (default fixtures: ./fixtures of the repository)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { resourcePaths } from '../../../infra/paths';
import { loadCatalog } from '../../catalog';
import { createChecksService } from '../../checks';
import { labelDelivered } from '../aigc';
import type { GenerateInput } from '../types';
import { createLocalGenerator } from './index';

interface SampleSpec {
  file: string;
  styleId: string;
  productId: 'puzzle' | 'makeover';
  outfitId: string | null;
  index: number;
  group: boolean;
}

const SPECS: SampleSpec[] = [
  { file: 'xinzhongshi-makeover.jpg', styleId: 'xinzhongshi', productId: 'makeover', outfitId: 'qipao', index: 0, group: false },
  { file: 'gugong-family.jpg', styleId: 'gugong', productId: 'makeover', outfitId: 'tangzhuang', index: 0, group: true },
  { file: 'hongmu-frame.jpg', styleId: 'hongmu', productId: 'makeover', outfitId: null, index: 1, group: false },
  { file: 'oushi-moon.jpg', styleId: 'oushi', productId: 'puzzle', outfitId: null, index: 3, group: true },
  { file: 'guochao-scroll.jpg', styleId: 'guochao', productId: 'puzzle', outfitId: 'tangzhuang', index: 2, group: false },
];

async function groupPhoto(portrait: Buffer): Promise<Buffer> {
  const sizes = [560, 600, 540];
  const tiles = await Promise.all(sizes.map((s) => sharp(portrait).resize(s, s).png().toBuffer()));
  return sharp({ create: { width: 1800, height: 640, channels: 3, background: '#8a8a86' } })
    .composite(tiles.map((input, i) => ({ input, left: 10 + i * 600, top: 640 - sizes[i]! })))
    .jpeg({ quality: 92 })
    .toBuffer();
}

async function main(): Promise<void> {
  const argIdx = process.argv.indexOf('--fixtures');
  const fixtures = argIdx > 0 ? process.argv[argIdx + 1]! : join(process.cwd(), 'fixtures');
  const { assetsDir, modelsDir } = resourcePaths();
  const catalog = loadCatalog(assetsDir);
  const checks = createChecksService({ modelsDir, threads: 1 });
  try {
    const portraitFile = readFileSync(join(fixtures, 'astronaut.png'));
    const photoOf = async (image: Buffer): Promise<GenerateInput['photos'][number]> => {
      const r = await checks.checkPhoto(image);
      if (!r.ok || !r.jpeg) throw new Error(`sample photo failed the checks: ${r.reasons.map((x) => x.code).join(',')}`);
      return { jpeg: r.jpeg, faces: r.faces, width: r.width, height: r.height };
    };
    const portrait = await photoOf(portraitFile);
    const group = await photoOf(await groupPhoto(portraitFile));
    const gen = createLocalGenerator({ assetsDir });
    for (const spec of SPECS) {
      const product = catalog.products.find((p) => p.id === spec.productId)!;
      const style = catalog.styles.find((s) => s.id === spec.styleId)!;
      const photos = spec.group ? [group] : spec.productId === 'puzzle' ? [portrait, portrait] : [portrait];
      let image: Buffer | null = null;
      const failures = await gen.generate(
        { orderId: 'sample', product, style, outfitId: spec.outfitId, photos, indices: [spec.index], seed: 2026, signal: new AbortController().signal },
        (v) => {
          image = v.image;
        },
      );
      if (!image || failures.length) throw new Error(`sample ${spec.file} failed: ${JSON.stringify(failures)}`);
      const small = await sharp(image).resize(1200, 800).jpeg({ quality: 86 }).toBuffer();
      writeFileSync(join(assetsDir, 'samples', spec.file), await labelDelivered(small, { orderId: 'sample', provider: 'local' }));
      process.stdout.write(`wrote samples/${spec.file}\n`);
    }
    writeFileSync(join(assetsDir, 'samples', 'index.json'), JSON.stringify(SPECS.map((s) => s.file), null, 2) + '\n');
  } finally {
    await checks.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
