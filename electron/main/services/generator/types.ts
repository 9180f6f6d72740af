// The AI provider seen from the order service. One implementation per provider: local, jimeng.
import type { FaceBox, Product, Style } from '../../../shared/contract';

export interface GenerateInput {
  orderId: string;
  product: Product;
  style: Style;
  outfitId: string | null;
  /** Checked, compressed photos of the family (JPEG) with their face boxes. */
  photos: { jpeg: Buffer; faces: FaceBox[]; width: number; height: number }[];
  /** Variant slots to fill, e.g. [0,1,2,3], or [2] for a supplementary request. */
  indices: number[];
  /** Base seed; variant i uses seed + i so a retry reproduces the same picture. */
  seed: number;
  /** enhanced (尊享): the provider's higher-quality model and settings; default standard. */
  model?: 'standard' | 'enhanced';
  signal: AbortSignal;
}

export interface GeneratedVariant {
  index: number;
  seed: number;
  /** Full-resolution result, not yet watermarked (JPEG or PNG). */
  image: Buffer;
  /**
   * The local generator's layering, for the 微动态 (scene moves, people stay still): asked for
   * after the variant is shown. stillMask: one-band PNG at the image's size, 255 where the picture
   * must stay still (the people); scene: JPEG of the picture without the people.
   */
  layers?: () => Promise<{ stillMask: Buffer; scene: Buffer }>;
}

export type VariantFailure = { index: number; code: string; message: string; retryable: boolean };

export interface Generator {
  readonly name: string;
  /**
   * Produces the requested variants, calling onVariant as each arrives (so the UI can show it).
   * Resolves with the failures (empty when all arrived); throws only for a whole-request stop
   * such as an input audit failure (KioskFailure with a kind Chinese message).
   */
  generate(input: GenerateInput, onVariant: (v: GeneratedVariant) => void): Promise<VariantFailure[]>;
}
