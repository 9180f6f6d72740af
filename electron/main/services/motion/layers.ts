// Where a variant's motion layers live: next to its result (results/<order>/r0-v2.jpg →
// r0-v2-still.png + r0-v2-scene.jpg), private (0600), registered as the order's assets so the
// retention deletes them with the result. Written by the order flow when the generator offers
// them (the local generator does), read by the local 微动态 to move the scene behind the people.
import { existsSync } from 'node:fs';

export interface MotionLayerPaths {
  /** One-band PNG, the result's size: 255 where the clip must stay still (the people). */
  stillMask: string;
  /** JPEG, the result's size: the same picture without the people. */
  scene: string;
}

/** The asset kind of both files (retention deletes every asset of an old order). */
export const MOTION_LAYER_KIND = 'motion_layer';

export function motionLayerPaths(resultPath: string): MotionLayerPaths {
  const stem = resultPath.replace(/\.[a-z]+$/i, '');
  return { stillMask: `${stem}-still.png`, scene: `${stem}-scene.jpg` };
}

/** The layers of a result, when both files are there. */
export function existingMotionLayers(resultPath: string): MotionLayerPaths | null {
  const p = motionLayerPaths(resultPath);
  return existsSync(p.stillMask) && existsSync(p.scene) ? p : null;
}
