// Phones take 12-50 MP photos; shrink on the phone to ≤ 2048 px JPEG so the upload is quick on mall Wi-Fi.

export const MAX_UPLOAD_SIDE = 2048;

/** Size that fits within maxSide on the long side, never enlarging. */
export function fitWithin(width: number, height: number, maxSide = MAX_UPLOAD_SIDE): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Decodes (honouring EXIF orientation), scales and re-encodes; null when the browser cannot read the file. */
export async function shrinkToJpeg(file: Blob, maxSide = MAX_UPLOAD_SIDE, quality = 0.9): Promise<Blob | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  try {
    const size = fitWithin(bitmap.width, bitmap.height, maxSide);
    if (size.width === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const g = canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(bitmap, 0, 0, size.width, size.height);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', quality));
  } finally {
    bitmap.close();
  }
}
