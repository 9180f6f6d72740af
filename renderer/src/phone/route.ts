// The phone pages are one bundle; the path decides the page: /p/<page>/<token>.
export type PhoneRoute = { page: 'pay' | 'download' | 'upload'; token: string } | { page: 'not-found' };

export function phoneRoute(pathname: string): PhoneRoute {
  const m = /^\/p\/(pay|download|upload)\/([A-Za-z0-9_-]{8,200})\/?$/.exec(pathname);
  if (!m) return { page: 'not-found' };
  return { page: m[1] as 'pay' | 'download' | 'upload', token: m[2] as string };
}
