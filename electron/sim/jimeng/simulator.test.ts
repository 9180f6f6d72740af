import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, xDateOf } from '../../main/services/generator/jimeng/sign';
import { startJimengSimulator, type JimengSimulator } from './simulator';

let sim: JimengSimulator;
beforeAll(async () => {
  sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 30 }, renderScale: 0.1 });
});
afterAll(async () => {
  await sim.close();
});

/** Sends a hand-signed request so each gateway check can be exercised on its own. */
async function send(opts: {
  action?: string;
  body?: string;
  sentBody?: string;
  headers?: Record<string, string>;
  signed?: (h: Record<string, string>) => Record<string, string>;
  xDate?: string;
}) {
  const body = opts.body ?? '{"req_key":"jimeng_i2i_v30","prompt":"x"}';
  const url = new URL(sim.url);
  const s = signRequest({
    method: 'POST',
    host: url.host,
    query: { Action: opts.action ?? 'CVSync2AsyncSubmitTask', Version: '2022-08-31' },
    headers: opts.headers ?? { 'content-type': 'application/json' },
    body,
    accessKey: sim.accessKey,
    secretKey: sim.secretKey,
    region: 'cn-north-1',
    service: 'cv',
    xDate: opts.xDate ?? xDateOf(new Date()),
  });
  const headers = opts.signed ? opts.signed(s.headers) : s.headers;
  delete headers.host;
  const res = await request(`${sim.url}/?Action=${opts.action ?? 'CVSync2AsyncSubmitTask'}&Version=2022-08-31`, {
    method: 'POST',
    headers,
    body: opts.sentBody ?? body,
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

const gatewayCode = (j: Record<string, unknown>) => (j.ResponseMetadata as { Error: { CodeN: number } }).Error.CodeN;

describe('Jimeng simulator gateway checks', () => {
  it('accepts a correctly signed request and answers with the business envelope', async () => {
    const r = await send({ body: '{"req_key":"jimeng_i2i_v30","prompt":"x","image_urls":["http://127.0.0.1:1/x.jpg"]}' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ code: 10000, status: 10000, message: 'Success', data: { task_id: expect.stringMatching(/^\d{19}$/) } });
  });

  it('honours the client’s own SignedHeaders list (Node SDK style, content-type unsigned)', async () => {
    const r = await send({ headers: {}, body: '{"req_key":"jimeng_i2i_v30","prompt":"x","image_urls":["http://127.0.0.1:1/x.jpg"]}' });
    expect(r.status).toBe(200);
  });

  it('rejects a body that is not the one signed (X-Content-Sha256 mismatch)', async () => {
    const r = await send({ sentBody: '{"req_key":"jimeng_i2i_v30","prompt":"y"}' });
    expect(r.status).toBe(401);
    expect(gatewayCode(r.json)).toBe(100010);
  });

  it('requires host and x-date to be signed', async () => {
    const r = await send({
      signed: (h) => ({ ...h, authorization: h.authorization!.replace('SignedHeaders=content-type;host;x-content-sha256;x-date', 'SignedHeaders=content-type;x-content-sha256') }),
    });
    expect(r.status).toBe(401);
    expect(gatewayCode(r.json)).toBe(100010);
  });

  it('rejects a missing signature, an unknown key, a stale X-Date and an unknown action', async () => {
    const missing = await send({ signed: (h) => ({ ...h, authorization: '' }) });
    expect([missing.status, gatewayCode(missing.json)]).toEqual([401, 100005]);
    const wrongKey = await send({ signed: (h) => ({ ...h, authorization: h.authorization!.replace(sim.accessKey, 'AKLTother') }) });
    expect([wrongKey.status, gatewayCode(wrongKey.json)]).toEqual([401, 100009]);
    const stale = await send({ xDate: xDateOf(new Date(Date.now() - 20 * 60_000)) });
    expect([stale.status, gatewayCode(stale.json)]).toEqual([400, 100006]);
    const unknown = await send({ action: 'CVDoSomething' });
    expect([unknown.status, gatewayCode(unknown.json)]).toEqual([404, 100008]);
  });

  it('answers 50215 for parameters the req_key does not take, and 50412 for banned words', async () => {
    const noImage = await send({ body: '{"req_key":"jimeng_i2i_v30","prompt":"x"}' });
    expect([noImage.status, noImage.json.code]).toEqual([400, 50215]);
    const banned = await send({ body: '{"req_key":"jimeng_t2i_v40","prompt":"血腥场面"}' });
    expect([banned.status, banned.json.code, banned.json.data]).toEqual([400, 50412, null]);
  });
});
