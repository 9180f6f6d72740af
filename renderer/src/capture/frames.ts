// Frames from the live <video>: small JPEGs for guidance, the full-resolution still for the order.

/** The contract carries images as bare base64, without the "data:image/jpeg;base64," prefix. */
export function stripDataUrl(dataUrl: string): string | null {
  const m = /^data:image\/[a-z+.-]+;base64,(.+)$/i.exec(dataUrl);
  return m?.[1] ?? null;
}

/** Target size for a frame scaled to at most maxWidth wide, keeping the aspect ratio. */
export function scaledSize(width: number, height: number, maxWidth: number | null): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  if (maxWidth === null || width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

const canvases = new Map<string, HTMLCanvasElement>();

/** JPEG (base64) of the current video frame; null while the camera has no picture yet. */
export function grabFrame(video: HTMLVideoElement, maxWidth: number | null, quality: number, slot = 'still'): string | null {
  const size = scaledSize(video.videoWidth, video.videoHeight, maxWidth);
  if (size.width === 0 || video.readyState < 2) return null;
  let canvas = canvases.get(slot);
  if (!canvas) {
    canvas = document.createElement('canvas');
    canvases.set(slot, canvas);
  }
  canvas.width = size.width;
  canvas.height = size.height;
  const g = canvas.getContext('2d');
  if (!g) return null;
  g.drawImage(video, 0, 0, size.width, size.height);
  return stripDataUrl(canvas.toDataURL('image/jpeg', quality));
}
