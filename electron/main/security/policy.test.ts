import { describe, expect, it } from 'vitest';
import { blockedShortcut, isAppUrl, permissionAllowed } from './policy';

const key = (k: string, mods: Partial<{ control: boolean; meta: boolean; alt: boolean; shift: boolean }> = {}) => ({
  key: k,
  control: false,
  meta: false,
  alt: false,
  shift: false,
  ...mods,
});

describe('Electron window policy', () => {
  it('treats only the kiosk page as the app', () => {
    expect(isAppUrl('app://kiosk/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('https://kiosk/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('grants the camera to the kiosk page only, and nothing else', () => {
    expect(permissionAllowed('media', 'app://kiosk/index.html', ['video'])).toBe(true);
    expect(permissionAllowed('media', 'app://kiosk/index.html', ['video', 'audio'])).toBe(false);
    expect(permissionAllowed('media', 'app://kiosk/index.html', [])).toBe(false);
    expect(permissionAllowed('media', 'https://evil.example/', ['video'])).toBe(false);
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(permissionAllowed(p, 'app://kiosk/index.html', ['video'])).toBe(false);
    }
  });

  it('blocks the shortcuts a visitor could use to escape, reload or zoom, and devtools in production', () => {
    for (const k of [key('r', { control: true }), key('w', { control: true }), key('F5'), key('F11'), key('F4', { alt: true }), key('+', { control: true }), key('0', { meta: true })]) {
      expect(blockedShortcut(k, false)).toBe(true);
    }
    expect(blockedShortcut(key('F12'), true)).toBe(true);
    expect(blockedShortcut(key('i', { control: true, shift: true }), true)).toBe(true);
    expect(blockedShortcut(key('F12'), false)).toBe(false); // developers keep devtools
    expect(blockedShortcut(key('a'), true)).toBe(false); // typing in the admin forms still works
    expect(blockedShortcut(key('1'), true)).toBe(false);
  });
});
