// Live face guidance: send a ~320-px frame, wait for the answer, send the next one. One frame in
// flight at a time keeps the check from queueing up; a floor between frames keeps it off the CPU.
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Guidance } from '../../../electron/shared/contract';
import { getKiosk } from '../platform/bridge';
import { grabFrame } from './frames';

const MIN_INTERVAL_MS = 66; // ≈15 frames/s at most
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function useGuidance(videoRef: RefObject<HTMLVideoElement | null>, active: boolean): { guidance: Guidance | null; fps: number } {
  const [guidance, setGuidance] = useState<Guidance | null>(null);
  const [fps, setFps] = useState(0);
  const answered = useRef<number[]>([]);

  useEffect(() => {
    if (!active) return;
    let stop = false;
    const kiosk = getKiosk();
    void (async () => {
      while (!stop) {
        const started = performance.now();
        const video = videoRef.current;
        const image = video ? grabFrame(video, 320, 0.7, 'guide') : null;
        if (!image) {
          await sleep(200);
          continue;
        }
        const r = await kiosk.invoke('capture:guide-frame', { image });
        if (stop) break;
        if (r.ok) {
          setGuidance(r.value);
          const now = performance.now();
          const recent = answered.current.filter((t) => now - t < 2000);
          recent.push(now);
          answered.current = recent;
          setFps(Math.round((recent.length / 2) * 10) / 10);
        } else {
          setGuidance(null);
          await sleep(1000); // the checker is down or busy: ask again later, calmly
        }
        const spent = performance.now() - started;
        if (spent < MIN_INTERVAL_MS) await sleep(MIN_INTERVAL_MS - spent);
      }
    })();
    return () => {
      stop = true;
    };
  }, [active, videoRef]);

  return { guidance, fps };
}
