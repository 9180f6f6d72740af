// The printer test page: colour bars, a grey ramp and a frame at the bleed line, so the operator
// can see colour, banding and cropping at a glance. Drawn with sharp from SVG (no file needed).
import sharp from 'sharp';

export async function testPageImage(opts: { kioskId: string; printer: string; at: Date }): Promise<Buffer> {
  const w = 1800;
  const h = 1200;
  const bars = ['#ffffff', '#ffff00', '#00ffff', '#00ff00', '#ff00ff', '#ff0000', '#0000ff', '#000000'];
  const bw = w / bars.length;
  const ramp = Array.from({ length: 16 }, (_, i) => {
    const v = Math.round((i / 15) * 255);
    return `<rect x="${i * (w / 16)}" y="700" width="${w / 16 + 1}" height="200" fill="rgb(${v},${v},${v})"/>`;
  }).join('');
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <rect width="100%" height="100%" fill="#fff8ee"/>
    ${bars.map((c, i) => `<rect x="${i * bw}" y="0" width="${bw + 1}" height="600" fill="${c}"/>`).join('')}
    ${ramp}
    <rect x="36" y="36" width="${w - 72}" height="${h - 72}" fill="none" stroke="#c00000" stroke-width="6" stroke-dasharray="24 12"/>
    <text x="${w / 2}" y="1010" font-family="Noto Sans CJK SC, sans-serif" font-size="64" text-anchor="middle" fill="#222">PRINT TEST</text>
    <text x="${w / 2}" y="1090" font-family="Noto Sans CJK SC, sans-serif" font-size="40" text-anchor="middle" fill="#444">${esc(`${opts.kioskId} · ${opts.printer} · ${opts.at.toISOString()}`)}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
}
