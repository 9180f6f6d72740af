// Every contract call is bound in both hosts: Electron IPC and the browser host's HTTP API.
import { afterEach, describe, expect, it } from 'vitest';
import { callNames, type CallName } from '../../shared/contract';
import { BrowserHost } from '../../browser-host/server';
import type { Kiosk } from '../app';
import { bindIpc, type IpcMainLike } from './bindIpc';
import type { Handlers } from './handlers';

/** Handlers that record which call reached them (input validation happens before, in dispatch). */
function recordingHandlers(seen: CallName[]): Handlers {
  return Object.fromEntries(
    callNames.map((name) => [
      name,
      async () => {
        seen.push(name);
        return { recorded: name };
      },
    ]),
  ) as unknown as Handlers;
}

/**
 * A valid input for the customer calls, so each passes zod and reaches its handler. A call without a
 * sample (e.g. admin calls, which need a session token) is sent `{}`: it must then be refused by
 * validation, never as an unknown call, which is what an unbound name gets.
 */
const sample: Partial<Record<CallName, unknown>> = {
  'app:get-catalog': {},
  'session:accept-consent': { lang: 'zh', consent: true },
  'order:get': { orderId: 'ord_x' },
  'order:choose-product': { orderId: 'ord_x', productId: 'puzzle', styleId: 'gugong', outfitId: null },
  'capture:add-photo': { orderId: 'ord_x', image: 'A'.repeat(64) },
  'capture:remove-photo': { orderId: 'ord_x', photoId: 'pho_1' },
  'capture:guide-frame': { image: 'A'.repeat(64) },
  'capture:phone-upload-link': { orderId: 'ord_x' },
  'generate:start': { orderId: 'ord_x' },
  'generate:regenerate': { orderId: 'ord_x' },
  'order:pick-variant': { orderId: 'ord_x', index: 1 },
  'payment:start': { orderId: 'ord_x', packageId: 'print' },
  'payment:cancel': { orderId: 'ord_x' },
  'order:abandon': { orderId: 'ord_x' },
};

let host: BrowserHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe('contract bindings', () => {
  it('the Electron host binds every call, rejects foreign frames and validates input', async () => {
    const seen: CallName[] = [];
    const bound = new Map<string, (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown>();
    const ipc: IpcMainLike = { handle: (ch, fn) => bound.set(ch, fn), removeHandler: (ch) => bound.delete(ch) };
    const unbind = bindIpc(ipc, recordingHandlers(seen), (url) => url.startsWith('app://kiosk/'));
    expect([...bound.keys()].sort()).toEqual([...callNames].sort());

    const app = { senderFrame: { url: 'app://kiosk/index.html' } };
    for (const name of callNames) {
      const result = await bound.get(name)!(app, sample[name] ?? {});
      if (name in sample) expect(result).toMatchObject({ ok: true, value: { recorded: name } });
      else expect(result, name).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(seen).toEqual(callNames.filter((n) => n in sample));

    expect(await bound.get('order:get')!({ senderFrame: { url: 'https://evil.example/' } }, { orderId: 'ord_x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await bound.get('order:pick-variant')!(app, { orderId: 'ord_x', index: 'two' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    unbind();
    expect(bound.size).toBe(0);
  });

  it('the browser host serves every call over HTTP, and refuses other origins', async () => {
    const seen: CallName[] = [];
    const kiosk = { handlers: recordingHandlers(seen), on: () => () => undefined, media: () => null } as unknown as Kiosk;
    host = new BrowserHost(kiosk, { rendererDir: '/nonexistent', samplesDir: '/nonexistent' });
    const url = await host.listen(0);
    for (const name of callNames) {
      const res = await fetch(`${url}api/${name}`, { method: 'POST', body: JSON.stringify(sample[name] ?? {}), headers: { 'content-type': 'application/json' } });
      const result: unknown = await res.json();
      if (name in sample) expect(result).toMatchObject({ ok: true, value: { recorded: name } });
      else expect(result, name).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(seen).toEqual(callNames.filter((n) => n in sample));
    const unknown = await fetch(`${url}api/admin:drop-tables`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    const foreign = await fetch(`${url}api/order:get`, { method: 'POST', body: '{"orderId":"ord_x"}', headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
  });
});
