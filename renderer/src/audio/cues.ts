// Countdown beeps, the shutter and a chime, synthesised with WebAudio so no sound files ship.
import { usePrefs } from '../app/prefs';

let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  const volume = usePrefs.getState().volume;
  if (volume <= 0 || typeof AudioContext === 'undefined') return null;
  try {
    ctx ??= new AudioContext();
    // Autoplay policy: the context starts suspended until a touch; every cue follows a touch.
    if (ctx.state === 'suspended') void ctx.resume();
    return ctx;
  } catch {
    return null;
  }
}

function tone(freq: number, startIn: number, durationS: number, peak: number): void {
  const ac = context();
  if (!ac) return;
  const gain = ac.createGain();
  const osc = ac.createOscillator();
  const t0 = ac.currentTime + startIn;
  const level = peak * usePrefs.getState().volume;
  osc.type = 'sine';
  osc.frequency.setValueAtTime(freq, t0);
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(Math.max(0.0002, level), t0 + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + durationS);
  osc.connect(gain).connect(ac.destination);
  osc.start(t0);
  osc.stop(t0 + durationS + 0.02);
}

/** One countdown step; the last one ("1") is higher so people know the shot is next. */
export function beep(last = false): void {
  tone(last ? 1320 : 880, 0, 0.16, 0.5);
}

/** A short band-passed noise burst, the "click" people expect from a camera. */
export function shutter(): void {
  const ac = context();
  if (!ac) return;
  const length = Math.floor(ac.sampleRate * 0.12);
  const buffer = ac.createBuffer(1, length, ac.sampleRate);
  const data = buffer.getChannelData(0);
  for (let i = 0; i < length; i++) data[i] = (Math.random() * 2 - 1) * (1 - i / length) ** 3;
  const src = ac.createBufferSource();
  const filter = ac.createBiquadFilter();
  const gain = ac.createGain();
  filter.type = 'bandpass';
  filter.frequency.value = 2400;
  gain.gain.value = 0.9 * usePrefs.getState().volume;
  src.buffer = buffer;
  src.connect(filter).connect(gain).connect(ac.destination);
  src.start();
}

/** Good news: payment received, a phone photo arrived, the print is ready. */
export function chime(): void {
  tone(988, 0, 0.25, 0.35);
  tone(1319, 0.12, 0.4, 0.35);
}
