// The 微动态 living photo: a 5-s MP4 plus an iPhone Live Photo pair. Implementations: local (ffmpeg), jimeng.
import type { FaceBox } from '../../../shared/contract';
import type { MotionLayerPaths } from './layers';

export interface MotionInput {
  imagePath: string;
  faces: FaceBox[];
  effect: string; // fireworks | lanterns | snow | fu
  outDir: string;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** The order this clip belongs to: cost accounting and the AI label's producer id (optional). */
  orderId?: string;
  /**
   * The picture's layering from the local generator (scene without the people, still mask), both
   * at imagePath's size: the local renderer then moves the scene and holds the people still.
   */
  layers?: MotionLayerPaths;
}

export interface MotionOutput {
  mp4Path: string;
  livePhoto: { jpgPath: string; movPath: string; assetId: string } | null;
  /** Which renderer actually made the clip ('local', or 'jimeng'); a fallback shows up here. */
  provider?: string;
}

export interface MotionRenderer {
  readonly name: string;
  render(input: MotionInput): Promise<MotionOutput>;
}
