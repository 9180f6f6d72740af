// Phones take 12-50 MP photos; shrink on the phone to ≤ 2048 px JPEG so the upload is quick on mall Wi-Fi.

export const MAX_UPLOAD_SIDE = 2048;

/** Size that fits within maxSide on the long side, never enlarging. */
export function fitWithin(width: number, height: number, maxSide = MAX_UPLOAD_SIDE): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

type Decoded = { source: CanvasImageSource; width: number; height: number; release(): void };

/** createImageBitmap where it works (honours EXIF orientation); an <img> on older in-app browsers. */
async function decode(file: Blob): Promise<Decoded | null> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: bitmap, width: bitmap.width, height: bitmap.height, release: () => bitmap.close() };
    } catch {
      /* fall through to <img>: some WebViews reject the options or the type */
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    // Browsers apply EXIF orientation to <img> by default (image-orientation: from-image).
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, release: () => URL.revokeObjectURL(url) };
  } catch {
    URL.revokeObjectURL(url);
    return null;
  }
}

/** Decodes, scales and re-encodes as JPEG; null when the browser cannot read the file. */
export async function shrinkToJpeg(file: Blob, maxSide = MAX_UPLOAD_SIDE, quality = 0.9): Promise<Blob | null> {
  const image = await decode(file);
  if (!image) return null;
  try {
    const size = fitWithin(image.width, image.height, maxSide);
    if (size.width === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const g = canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(image.source, 0, 0, size.width, size.height);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', quality));
  } finally {
    image.release();
  }
}
