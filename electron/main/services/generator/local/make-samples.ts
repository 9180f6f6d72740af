// Regenerates assets/samples/ (the attract loop's showcase and the style tiles) with the local
// generator itself, from real photos of different people (fixtures/people/, public domain or CC0
// or CC BY — attribution in assets/README.md), through the same checks, real cut-outs and AIGC
// labelling as a real order.
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
import { createCutoutService } from './segmenter';

interface SampleSpec {
  file: string;
  styleId: string;
  productId: 'puzzle' | 'makeover';
  outfitId: string | null;
  index: number;
  /** Photos from fixtures/ (each one checked like a customer's photo). */
  photos: string[];
}

const SPECS: SampleSpec[] = [
  // One person and her dog: the dog stays out of the picture.
  { file: 'xinzhongshi-makeover.jpg', styleId: 'xinzhongshi', productId: 'makeover', outfitId: 'qipao', index: 0, photos: ['people/girl-with-dog.jpg'] },
  // A real group photo of three, dressed in Tang suits.
  { file: 'gugong-family.jpg', styleId: 'gugong', productId: 'makeover', outfitId: 'tangzhuang', index: 0, photos: ['people/apollo11-crew.png'] },
  { file: 'hongmu-frame.jpg', styleId: 'hongmu', productId: 'makeover', outfitId: null, index: 1, photos: ['people/apollo11-crew.png'] },
  // 时空拼图: three people photographed apart, one group on one scene.
  { file: 'oushi-moon.jpg', styleId: 'oushi', productId: 'puzzle', outfitId: null, index: 3, photos: ['astronaut.png', 'people/girl-with-dog.jpg', 'people/hopper.jpg'] },
  { file: 'guochao-scroll.jpg', styleId: 'guochao', productId: 'puzzle', outfitId: 'tangzhuang', index: 2, photos: ['people/hopper.jpg', 'astronaut.png', 'people/girl-with-dog.jpg'] },
];

async function main(): Promise<void> {
  const argIdx = process.argv.indexOf('--fixtures');
  const fixtures = argIdx > 0 ? process.argv[argIdx + 1]! : join(process.cwd(), 'fixtures');
  const { assetsDir, modelsDir } = resourcePaths();
  const catalog = loadCatalog(assetsDir);
  // Generous limits: this runs on a build machine that may be busy.
  const checks = createChecksService({ modelsDir, threads: 1, timeouts: { check: 60_000, detect: 60_000 } });
  const cutouts = createCutoutService({ modelsDir, threads: 1, timeoutMs: 120_000 });
  try {
    const photoOf = async (file: string): Promise<GenerateInput['photos'][number]> => {
      // Sample photos may have faces below the kiosk's 80-px bar (they are small web images).
      const r = await checks.checkPhoto(readFileSync(join(fixtures, file)), { minFacePx: 40 });
      if (!r.jpeg || r.faces.length === 0) throw new Error(`sample photo ${file} failed the checks: ${r.reasons.map((x) => x.code).join(',')}`);
      return { jpeg: r.jpeg, faces: r.faces, width: r.width, height: r.height };
    };
    const gen = createLocalGenerator({ assetsDir, segment: cutouts.segment });
    for (const spec of SPECS) {
      const product = catalog.products.find((p) => p.id === spec.productId)!;
      const style = catalog.styles.find((s) => s.id === spec.styleId)!;
      const photos = await Promise.all(spec.photos.map(photoOf));
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
    await Promise.all([checks.close(), cutouts.close()]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
