// Browser side of the guide-frame benchmark: the kiosk's own frame grab + bridge, driven for a
// fixed time at guide size (320 px, q0.7) and, as the naive baseline, at full resolution (q0.92).
import { grabFrame } from '../src/capture/frames';
import { createHttpBridge } from '../src/platform/httpBridge';

async function run(video: HTMLVideoElement, maxWidth: number | null, quality: number, ms: number) {
  const kiosk = createHttpBridge({ openSocket: null });
  let frames = 0;
  let bytes = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const image = grabFrame(video, maxWidth, quality, `bench-${maxWidth}`);
    if (!image) continue;
    const r = await kiosk.invoke('capture:guide-frame', { image });
    if (!r.ok) throw new Error(r.error.code);
    frames++;
    bytes += image.length;
  }
  return { fps: (frames * 1000) / ms, kb: bytes / Math.max(1, frames) / 1024 };
}

async function main(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } } });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  while (video.readyState < 2) await new Promise((r) => setTimeout(r, 50));
  const ms = Number(new URLSearchParams(location.search).get('ms') ?? 4000);
  const naive = await run(video, null, 0.92, ms);
  const guide = await run(video, 320, 0.7, ms);
  (window as unknown as { benchResult: unknown }).benchResult = { guide, naive, width: video.videoWidth, height: video.videoHeight };
}

main().catch((e: unknown) => {
  (window as unknown as { benchResult: unknown }).benchResult = { error: String(e) };
});
