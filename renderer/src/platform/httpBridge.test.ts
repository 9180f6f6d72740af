import { describe, expect, it } from 'vitest';
import { backoffMs, createHttpBridge, toResult, type SocketLike } from './httpBridge';

const order = { id: 'o1', state: 'created' };

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Timers the test fires by hand: no real waiting, no flaky clocks. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    setTimer: (fn: () => void, ms: number) => {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimer: (id: unknown) => void pending.delete(id as number),
    delays: () => [...pending.values()].map((p) => p.ms),
    fireAll: (filter: (ms: number) => boolean = () => true) => {
      for (const [id, p] of [...pending]) {
        if (!filter(p.ms)) continue;
        pending.delete(id);
        p.fn();
      }
    },
  };
}

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
}

describe('HTTP bridge calls', () => {
  it('POSTs the input as JSON to /api/<call-name> and returns the value', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const bridge = createHttpBridge({
      openSocket: null,
      fetch: async (url, init) => {
        seen.push({ url: String(url), init });
        return jsonResponse({ ok: true, value: order });
      },
    });
    const r = await bridge.invoke('order:get', { orderId: 'o1' });
    expect(r).toEqual({ ok: true, value: order });
    expect(seen[0]?.url).toBe('/api/order:get');
    expect(seen[0]?.init?.method).toBe('POST');
    expect(JSON.parse(String(seen[0]?.init?.body))).toEqual({ orderId: 'o1' });
  });

  it('passes a service error through unchanged, even with an HTTP error status', async () => {
    const error = { code: 'FACE_TOO_SMALL', message: '脸太小了', retryable: false };
    const bridge = createHttpBridge({ openSocket: null, fetch: async () => jsonResponse({ ok: false, error }, 422) });
    expect(await bridge.invoke('order:get', { orderId: 'o1' })).toEqual({ ok: false, error });
  });

  it('turns a network failure into OFFLINE with the kiosk message, retryable', async () => {
    const bridge = createHttpBridge({
      openSocket: null,
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    expect(await bridge.invoke('app:get-catalog', {})).toEqual({
      ok: false,
      error: { code: 'OFFLINE', message: '网络连接中断，请稍候', retryable: true },
    });
  });

  it('treats a non-JSON 502 page as offline and garbage JSON as an internal error, never throwing', async () => {
    const proxy = createHttpBridge({ openSocket: null, fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }) });
    const r1 = await proxy.invoke('app:get-catalog', {});
    expect(r1.ok === false && r1.error.code).toBe('OFFLINE');
    const weird = createHttpBridge({ openSocket: null, fetch: async () => jsonResponse({ hello: 1 }) });
    const r2 = await weird.invoke('app:get-catalog', {});
    expect(r2.ok === false && r2.error.code).toBe('INTERNAL');
  });

  it('gives up on a call that never answers with TIMEOUT', async () => {
    const timers = manualTimers();
    const bridge = createHttpBridge({
      openSocket: null,
      timeoutMs: 45_000,
      ...timers,
      fetch: (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    });
    const pending = bridge.invoke('generate:start', { orderId: 'o1' });
    expect(timers.delays()).toEqual([45_000]);
    timers.fireAll();
    const r = await pending;
    expect(r.ok === false && r.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('toResult fills a missing message and defaults retryable to false', () => {
    expect(toResult({ ok: false, error: { code: 'X' } })).toEqual({
      ok: false,
      error: { code: 'X', message: '系统开小差了，请稍后再试', retryable: false },
    });
    expect(toResult(null).ok).toBe(false);
  });
});

describe('HTTP bridge events', () => {
  it('delivers {event,payload} messages to the listeners of that event only, ignoring garbage', () => {
    const sockets: FakeSocket[] = [];
    const bridge = createHttpBridge({ eventsUrl: 'ws://127.0.0.1:1/events', openSocket: (url) => (sockets.push(new FakeSocket(url)), sockets.at(-1) as FakeSocket) });
    const changed: unknown[] = [];
    const uploaded: unknown[] = [];
    const off = bridge.on('order:changed', (o) => changed.push(o));
    bridge.on('capture:photo-uploaded', (p) => uploaded.push(p));
    expect(sockets).toHaveLength(1); // one socket for all events
    expect(sockets[0]?.url).toBe('ws://127.0.0.1:1/events');
    const s = sockets[0] as FakeSocket;
    s.onmessage?.({ data: JSON.stringify({ event: 'order:changed', payload: order }) });
    s.onmessage?.({ data: 'not json' });
    s.onmessage?.({ data: JSON.stringify({ payload: 1 }) });
    expect(changed).toEqual([order]);
    expect(uploaded).toEqual([]);
    off();
    s.onmessage?.({ data: JSON.stringify({ event: 'order:changed', payload: order }) });
    expect(changed).toHaveLength(1);
  });

  it('reconnects with growing back-off after the socket drops, and resets it once connected', () => {
    const timers = manualTimers();
    const sockets: FakeSocket[] = [];
    const bridge = createHttpBridge({
      eventsUrl: 'ws://x/events',
      reconnect: { initialMs: 500, maxMs: 4000 },
      ...timers,
      openSocket: (url) => (sockets.push(new FakeSocket(url)), sockets.at(-1) as FakeSocket),
    });
    const got: unknown[] = [];
    bridge.on('order:changed', (o) => got.push(o));
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      sockets.at(-1)?.onclose?.({});
      delays.push(...timers.delays());
      timers.fireAll();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(sockets).toHaveLength(6);
    const live = sockets.at(-1) as FakeSocket;
    live.onopen?.({});
    live.onmessage?.({ data: JSON.stringify({ event: 'order:changed', payload: order }) });
    expect(got).toEqual([order]);
    live.onclose?.({});
    expect(timers.delays()).toEqual([500]);
    bridge.close();
    expect(timers.delays()).toEqual([]);
  });

  it('backoffMs doubles and caps', () => {
    expect([0, 1, 2, 3, 10, 100].map((n) => backoffMs(n, 250, 5000))).toEqual([250, 500, 1000, 2000, 5000, 5000]);
  });

  it('media URLs are /media/<assetId>, escaped', () => {
    const bridge = createHttpBridge({ openSocket: null });
    expect(bridge.mediaUrl('a1')).toBe('/media/a1');
    expect(bridge.mediaUrl('../x')).toBe('/media/..%2Fx');
  });
});
