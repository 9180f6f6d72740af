// The live camera stream for the preview, at the best resolution the webcam offers (ideal 1080p).
// A webcam that is unplugged (or whose driver resets) ends its track: the hook then keeps trying to
// reopen it — on every devicechange and every few seconds — so capture recovers without a restart.
// Each change is reported to the health screen (health:report-camera).
import { useEffect, useState, type RefObject } from 'react';
import { getKiosk } from '../platform/bridge';

export type CameraStatus = 'starting' | 'live' | 'error';

const RETRY_MS = 3000;

function report(ok: boolean, detail: string): void {
  void getKiosk()
    .invoke('health:report-camera', { ok, detail: detail.slice(0, 200) })
    .catch(() => undefined);
}

export function useCamera(videoRef: RefObject<HTMLVideoElement | null>): { status: CameraStatus; width: number; height: number } {
  const [state, setState] = useState<{ status: CameraStatus; width: number; height: number }>({ status: 'starting', width: 0, height: 0 });

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    let opening = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const scheduleRetry = () => {
      if (stopped) return;
      clearTimeout(retry);
      retry = setTimeout(() => void open(), RETRY_MS);
    };

    const lost = (detail: string) => {
      if (stopped) return;
      stream?.getTracks().forEach((t) => t.stop());
      stream = null;
      setState({ status: 'error', width: 0, height: 0 });
      report(false, detail);
      scheduleRetry();
    };

    async function open(): Promise<void> {
      if (stopped || opening || stream) return;
      if (!navigator.mediaDevices?.getUserMedia) {
        setState({ status: 'error', width: 0, height: 0 });
        report(false, 'getUserMedia not available');
        return;
      }
      opening = true;
      try {
        const s = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 30 } },
        });
        if (stopped) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        for (const track of s.getVideoTracks()) track.addEventListener('ended', () => lost('camera track ended (unplugged?)'), { once: true });
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = s;
        video.muted = true;
        await video.play().catch(() => undefined);
        const onReady = () => {
          setState({ status: 'live', width: video.videoWidth, height: video.videoHeight });
          report(true, `live ${video.videoWidth}x${video.videoHeight}`);
        };
        if (video.readyState >= 2) onReady();
        else video.addEventListener('loadeddata', onReady, { once: true });
      } catch (e) {
        const name = e instanceof Error ? e.name : 'unknown';
        console.warn('camera unavailable', name);
        lost(`camera unavailable: ${name}`);
      } finally {
        opening = false;
      }
    }

    const onDeviceChange = () => {
      if (!stream) void open();
    };
    navigator.mediaDevices?.addEventListener?.('devicechange', onDeviceChange);
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      navigator.mediaDevices?.removeEventListener?.('devicechange', onDeviceChange);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [videoRef]);

  return state;
}
