import { describe, expect, it } from 'vitest';
import { KioskFailure } from '../../../shared/result';
import type { Product, Style } from '../../../shared/contract';
import type { GeneratedVariant, GenerateInput, Generator, VariantFailure } from './types';
import { familyOf, runVariants, type VariantGate } from './variants';

const product: Product = {
  id: 'makeover',
  name: { zh: '富贵变身', en: 'Makeover' },
  description: { zh: '', en: '' },
  enabled: true,
  minPhotos: 1,
  maxPhotos: 1,
};
const style: Style = {
  id: 'gugong',
  name: { zh: '故宫', en: 'Forbidden City' },
  enabled: true,
  products: ['makeover'],
  outfits: [],
  palette: ['#a00', '#fc0'],
};
const input = {
  orderId: 'o1',
  product,
  style,
  outfitId: null,
  seed: 10,
  photos: [
    {
      jpeg: Buffer.from('x'),
      width: 800,
      height: 600,
      faces: [
        { x: 0, y: 0, w: 120, h: 130, score: 0.9 },
        { x: 300, y: 0, w: 100, h: 110, score: 0.9 },
      ],
    },
  ],
};

type Behaviour = 'ok' | 'fail' | 'audit' | 'hang';

/** A generator whose calls are controlled by the test: each call waits for `release`. */
class ScriptedGenerator implements Generator {
  readonly name = 'scripted';
  calls: { index: number; seed: number; signal: AbortSignal }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private waiters: (() => void)[] = [];
  constructor(
    private behaviour: (index: number, attempt: number) => Behaviour,
    private manual = false,
  ) {}
  release(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  async generate(inp: GenerateInput, onVariant: (v: GeneratedVariant) => void): Promise<VariantFailure[]> {
    const index = inp.indices[0]!;
    const attempt = this.calls.filter((c) => c.index === index).length;
    this.calls.push({ index, seed: inp.seed, signal: inp.signal });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const b = this.behaviour(index, attempt);
      if (b === 'hang') {
        await new Promise<void>((_, reject) => inp.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      if (this.manual) await new Promise<void>((r) => this.waiters.push(r));
      else await Promise.resolve();
      if (b === 'audit') throw new KioskFailure('INPUT_AUDIT', '照片未通过审核，请换一张照片');
      if (b === 'fail') return [{ index, code: 'TIMEOUT', message: '超时', retryable: true }];
      onVariant({ index, seed: inp.seed + index, image: Buffer.from(`img-${index}-${attempt}`) });
      return [];
    } finally {
      this.inFlight--;
    }
  }
}

const never = new AbortController().signal;

describe('runVariants', () => {
  it('requests all four in parallel and shows each as it arrives', async () => {
    const gen = new ScriptedGenerator(() => 'ok', true);
    const seen: number[] = [];
    const running = runVariants({ generator: gen, input, count: 4, signal: never, onVariant: (v) => seen.push(v.index) });
    await new Promise((r) => setTimeout(r, 10));
    expect(gen.inFlight).toBe(4); // all four requested before any finished
    gen.release();
    const res = await running;
    expect(res.delivered.sort()).toEqual([0, 1, 2, 3]);
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
    expect(res).toMatchObject({ requests: 4, retries: 0, rejected: 0, failures: [] });
    expect(gen.calls.map((c) => c.seed)).toEqual([10, 10, 10, 10]); // variant i → seed + i inside the generator
  });

  it('never exceeds the concurrency limit', async () => {
    const gen = new ScriptedGenerator(() => 'ok');
    const res = await runVariants({ generator: gen, input, count: 4, concurrency: 2, signal: never, onVariant: () => {} });
    expect(gen.maxInFlight).toBe(2);
    expect(res.delivered).toHaveLength(4);
  });

  it('replaces a variant the quality gate rejects with one supplementary request on a new seed', async () => {
    const gen = new ScriptedGenerator(() => 'ok');
    const gate: VariantGate = async (image, family) => {
      expect(family).toEqual({ faces: 2, minFacePx: 100 });
      return image.toString() === 'img-1-0' ? { ok: false, reason: 'FACE_COUNT 1≠2' } : { ok: true };
    };
    const rejected: [number, string][] = [];
    const shown: string[] = [];
    const res = await runVariants({
      generator: gen,
      input,
      count: 4,
      signal: never,
      gate,
      onVariant: (v) => shown.push(v.image.toString()),
      onRejected: (i, r) => rejected.push([i, r]),
    });
    expect(rejected).toEqual([[1, 'FACE_COUNT 1≠2']]);
    expect(shown).not.toContain('img-1-0');
    expect(shown).toContain('img-1-1');
    expect(res).toMatchObject({ requests: 5, retries: 1, rejected: 1, failures: [] });
    const seeds = gen.calls.filter((c) => c.index === 1).map((c) => c.seed);
    expect(seeds[0]).not.toBe(seeds[1]);
  });

  it('gives a failed slot exactly one more try, then reports what is missing', async () => {
    const gen = new ScriptedGenerator((i) => (i === 2 ? 'fail' : 'ok'));
    const res = await runVariants({ generator: gen, input, count: 4, signal: never, onVariant: () => {} });
    expect(gen.calls.filter((c) => c.index === 2)).toHaveLength(2);
    expect(res.delivered.sort()).toEqual([0, 1, 3]);
    expect(res.failures).toEqual([{ index: 2, code: 'TIMEOUT', message: '超时', retryable: true }]);
    expect(res).toMatchObject({ requests: 5, retries: 1 });
  });

  it('fills a slot whose first try failed when the supplementary request succeeds', async () => {
    const gen = new ScriptedGenerator((i, attempt) => (i === 0 && attempt === 0 ? 'fail' : 'ok'));
    const res = await runVariants({ generator: gen, input, count: 4, signal: never, onVariant: () => {} });
    expect(res.delivered.sort()).toEqual([0, 1, 2, 3]);
    expect(res.failures).toEqual([]);
  });

  it('treats a crashing face detector as a rejection, never showing an unchecked picture', async () => {
    const gen = new ScriptedGenerator(() => 'ok');
    const shown: number[] = [];
    const res = await runVariants({
      generator: gen,
      input,
      count: 2,
      signal: never,
      gate: async () => {
        throw new Error('onnx died');
      },
      onVariant: (v) => shown.push(v.index),
    });
    expect(shown).toEqual([]);
    expect(res.rejected).toBe(4);
    expect(res.failures.map((f) => f.code)).toEqual(['QUALITY_REJECTED', 'QUALITY_REJECTED']);
  });

  it('stops everything on an input audit failure and passes the kind message on', async () => {
    const gen = new ScriptedGenerator((i) => (i === 1 ? 'audit' : 'hang'));
    const shown: number[] = [];
    await expect(
      runVariants({ generator: gen, input, count: 4, signal: never, onVariant: (v) => shown.push(v.index) }),
    ).rejects.toMatchObject({ code: 'INPUT_AUDIT', message: '照片未通过审核，请换一张照片' });
    expect(gen.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(gen.calls).toHaveLength(4); // no supplementary requests after a stop
    expect(shown).toEqual([]);
  });

  it('ends promptly when the customer leaves, without further results', async () => {
    const gen = new ScriptedGenerator((i) => (i === 0 ? 'ok' : 'hang'));
    const ac = new AbortController();
    const shown: number[] = [];
    const running = runVariants({ generator: gen, input, count: 4, signal: ac.signal, onVariant: (v) => shown.push(v.index) });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    const res = await running;
    expect(shown).toEqual([0]);
    expect(res.failures.map((f) => f.code)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    expect(res.requests).toBe(4);
  });

  it('keeps going when the listener throws for one variant', async () => {
    const gen = new ScriptedGenerator(() => 'ok');
    const seen: number[] = [];
    const res = await runVariants({
      generator: gen,
      input,
      count: 4,
      signal: never,
      onVariant: (v) => {
        seen.push(v.index);
        if (v.index === 1) throw new Error('disk full');
      },
    });
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
    expect(res.delivered).toHaveLength(4);
  });

  it('counts every face of every photo for the family', () => {
    expect(familyOf([])).toEqual({ faces: 0, minFacePx: 0 });
    expect(familyOf([...input.photos, { ...input.photos[0]!, faces: [{ x: 0, y: 0, w: 90, h: 95, score: 1 }] }])).toEqual({
      faces: 3,
      minFacePx: 90,
    });
  });
});
