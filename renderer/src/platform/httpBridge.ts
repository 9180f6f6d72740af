// The browser host's side of the contract: calls are POST /api/<name>, events arrive over one
// WebSocket at /events, media at /media/<assetId>. Every failure comes back as a Result, never a throw.
import type { CallName, CallOutput, EventName, EventPayload, KioskApi } from '../../../electron/shared/contract';
import type { KioskError, Result } from '../../../electron/shared/result';
import { zh } from '../i18n/zh';

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface HttpBridgeOptions {
  /** Origin + prefix the API lives under; '' means the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Builds the events socket; null disables events (tests of calls only). */
  openSocket?: ((url: string) => SocketLike) | null;
  /** ws:// URL of /events; derived from location when omitted. */
  eventsUrl?: string;
  /** A call that gets no answer in this time fails as TIMEOUT (a photo check can take a few seconds). */
  timeoutMs?: number;
  /** Back-off for reconnecting the events socket. */
  reconnect?: { initialMs: number; maxMs: number };
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

export const offlineError: KioskError = { code: 'OFFLINE', message: zh['error.OFFLINE'], retryable: true };
const timeoutError: KioskError = { code: 'TIMEOUT', message: zh['error.TIMEOUT'], retryable: true };
const badAnswerError: KioskError = { code: 'INTERNAL', message: zh['error.INTERNAL'], retryable: true };

/** Accepts only a well-formed Result; anything else from the wire is a server fault, not a crash. */
export function toResult<T>(body: unknown): Result<T> {
  if (typeof body !== 'object' || body === null) return { ok: false, error: badAnswerError };
  const r = body as { ok?: unknown; value?: unknown; error?: unknown };
  if (r.ok === true) return { ok: true, value: r.value as T };
  if (r.ok === false && typeof r.error === 'object' && r.error !== null) {
    const e = r.error as { code?: unknown; message?: unknown; retryable?: unknown };
    if (typeof e.code === 'string') {
      return {
        ok: false,
        error: {
          code: e.code,
          message: typeof e.message === 'string' && e.message ? e.message : zh['error.INTERNAL'],
          retryable: e.retryable === true,
        },
      };
    }
  }
  return { ok: false, error: badAnswerError };
}

/** Delay before reconnect attempt n (0-based): doubling from initialMs, capped at maxMs. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
}

type AnyListener = (payload: unknown) => void;

export function createHttpBridge(opts: HttpBridgeOptions = {}): KioskApi & { close(): void } {
  const base = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const timeoutMs = opts.timeoutMs ?? 45_000;
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((id: unknown) => clearTimeout(id as ReturnType<typeof setTimeout>));
  const { initialMs, maxMs } = opts.reconnect ?? { initialMs: 500, maxMs: 10_000 };

  const listeners = new Map<string, Set<AnyListener>>();
  let socket: SocketLike | null = null;
  let attempts = 0;
  let reconnectTimer: unknown = null;
  let closed = false;

  const openSocket =
    opts.openSocket === undefined ? (url: string) => new WebSocket(url) as unknown as SocketLike : opts.openSocket;

  function eventsUrl(): string {
    if (opts.eventsUrl) return opts.eventsUrl;
    const loc = globalThis.location;
    const scheme = loc?.protocol === 'https:' ? 'wss' : 'ws';
    return `${scheme}://${loc?.host ?? '127.0.0.1'}/events`;
  }

  function dispatch(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // a garbled frame is dropped; polling covers what it carried
    }
    if (typeof msg !== 'object' || msg === null) return;
    const { event, payload } = msg as { event?: unknown; payload?: unknown };
    if (typeof event !== 'string') return;
    for (const fn of [...(listeners.get(event) ?? [])]) {
      try {
        fn(payload);
      } catch (e) {
        console.error('event listener failed', event, e);
      }
    }
  }

  function connect(): void {
    if (!openSocket || closed || socket) return;
    let s: SocketLike;
    try {
      s = openSocket(eventsUrl());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      attempts = 0;
    };
    s.onmessage = (ev) => dispatch(ev.data);
    s.onerror = () => {
      /* onclose follows and reconnects */
    };
    s.onclose = () => {
      if (socket === s) socket = null;
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null) return;
    const delay = backoffMs(attempts++, initialMs, maxMs);
    reconnectTimer = setTimer(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  async function invoke<N extends CallName>(name: N, input: unknown): Promise<Result<CallOutput<N>>> {
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimer(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    try {
      const res = await doFetch(`${base}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        signal: abort.signal,
      });
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        // A proxy page or an empty 502 is a server that is not answering properly right now.
        return { ok: false, error: res.status >= 500 || res.status === 0 ? offlineError : badAnswerError };
      }
      return toResult<CallOutput<N>>(body);
    } catch {
      return { ok: false, error: timedOut ? timeoutError : offlineError };
    } finally {
      clearTimer(timer);
    }
  }

  return {
    host: 'browser',
    invoke: invoke as KioskApi['invoke'],
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as AnyListener);
      connect();
      return () => {
        set.delete(listener as AnyListener);
      };
    },
    mediaUrl: (assetId: string) => `${base}/media/${encodeURIComponent(assetId)}`,
    close() {
      closed = true;
      if (reconnectTimer !== null) clearTimer(reconnectTimer);
      socket?.close();
      socket = null;
    },
  };
}
