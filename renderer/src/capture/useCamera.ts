// The live camera stream for the preview, at the best resolution the webcam offers (ideal 1080p).
import { useEffect, useState, type RefObject } from 'react';

export type CameraStatus = 'starting' | 'live' | 'error';

export function useCamera(videoRef: RefObject<HTMLVideoElement | null>): { status: CameraStatus; width: number; height: number } {
  const [state, setState] = useState<{ status: CameraStatus; width: number; height: number }>({ status: 'starting', width: 0, height: 0 });

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    async function start(): Promise<void> {
      if (!navigator.mediaDevices?.getUserMedia) {
        setState({ status: 'error', width: 0, height: 0 });
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 30 } },
        });
        if (stopped) {
          stream.getTracks().forEach((t) => t.stop());
          return;
        }
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = stream;
        video.muted = true;
        await video.play().catch(() => undefined);
        const onReady = () => setState({ status: 'live', width: video.videoWidth, height: video.videoHeight });
        if (video.readyState >= 2) onReady();
        else video.addEventListener('loadeddata', onReady, { once: true });
      } catch (e) {
        console.warn('camera unavailable', e instanceof Error ? e.name : 'unknown');
        if (!stopped) setState({ status: 'error', width: 0, height: 0 });
      }
    }
    void start();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [videoRef]);

  return state;
}
