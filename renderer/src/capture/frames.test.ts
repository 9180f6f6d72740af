import { describe, expect, it } from 'vitest';
import { scaledSize, stripDataUrl } from './frames';

describe('camera frames', () => {
  it('sends bare base64 without the data: prefix', () => {
    expect(stripDataUrl('data:image/jpeg;base64,/9j/4AAQ')).toBe('/9j/4AAQ');
    expect(stripDataUrl('data:,')).toBeNull();
    expect(stripDataUrl('data:image/png;base64,')).toBeNull();
  });
  it('guide frames are ~320 px wide, stills keep full resolution', () => {
    expect(scaledSize(1920, 1080, 320)).toEqual({ width: 320, height: 180 });
    expect(scaledSize(1920, 1080, null)).toEqual({ width: 1920, height: 1080 });
    expect(scaledSize(0, 0, 320)).toEqual({ width: 0, height: 0 });
  });
});
