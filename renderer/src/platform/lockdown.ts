// Keeps the kiosk page the only page, in either host. Electron blocks navigation and new windows in
// the main process too; in the browser host (Chromium --kiosk) this is the line of defence: no new
// windows, no following a link off the kiosk's origin, no drag-and-drop of a file or URL onto the
// page (which would navigate to it), no pinch or ctrl-wheel zoom.
export function lockDown(win: Window = window): void {
  const doc = win.document;
  const origin = win.location.origin;

  // window.open (and target=_blank through it) opens nothing.
  win.open = () => null;

  // Links: only same-origin navigations inside the app; anything else is swallowed.
  doc.addEventListener(
    'click',
    (e) => {
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a) return;
      let target: URL;
      try {
        target = new URL(a.href, win.location.href);
      } catch {
        e.preventDefault();
        return;
      }
      if (target.origin !== origin || a.target === '_blank' || a.hasAttribute('download')) e.preventDefault();
    },
    true,
  );
  // Forms never submit anywhere (the kiosk has none; an injected one must not navigate).
  doc.addEventListener('submit', (e) => e.preventDefault(), true);
  // Dropping a file or a URL onto the page would navigate to it.
  for (const type of ['dragover', 'drop'] as const) doc.addEventListener(type, (e) => e.preventDefault(), true);
  // Long press menus, pinch and ctrl-wheel zoom.
  doc.addEventListener('contextmenu', (e) => e.preventDefault());
  doc.addEventListener('gesturestart', (e) => e.preventDefault());
  win.addEventListener(
    'wheel',
    (e) => {
      if (e.ctrlKey) e.preventDefault();
    },
    { passive: false },
  );
  win.addEventListener(
    'touchmove',
    (e) => {
      if (e.touches.length > 1) e.preventDefault();
    },
    { passive: false },
  );
  // Back/forward swipes and Alt+Left: keep the history pinned to the kiosk page.
  win.history.pushState(null, '', win.location.href);
  win.addEventListener('popstate', () => win.history.pushState(null, '', win.location.href));
}
