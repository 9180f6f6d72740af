// The Chromium flags for a locked-down kiosk when the browser host is the deployment (no Electron):
// full-screen, no error dialogs or infobars, no pinch zoom or swipe navigation, no background
// network chatter, the camera allowed without a prompt for the kiosk's own origin only.
export function chromiumKioskArgs(url: string, profileDir: string, opts: { kiosk: boolean; extra?: string[] }): string[] {
  const origin = new URL(url).origin;
  return [
    opts.kiosk ? '--kiosk' : `--app=${url}`,
    '--noerrdialogs',
    '--disable-infobars',
    '--no-first-run',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--disable-features=TranslateUI,Translate,OverscrollHistoryNavigation',
    '--disable-component-update',
    '--disable-background-networking',
    '--disable-sync',
    '--disable-session-crashed-bubble',
    '--check-for-update-interval=31536000',
    '--touch-events=enabled',
    '--autoplay-policy=no-user-gesture-required',
    `--unsafely-treat-insecure-origin-as-secure=${origin}`,
    `--user-data-dir=${profileDir}`,
    ...(opts.extra ?? []),
    ...(opts.kiosk ? [url] : []),
  ];
}
