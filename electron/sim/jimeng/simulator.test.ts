import sharp from 'sharp';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, xDateOf } from '../../main/services/generator/jimeng/sign';
import { startJimengSimulator, type JimengSimulator } from './simulator';

let sim: JimengSimulator;
beforeAll(async () => {
  sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 30 }, videoLatency: { kind: 'fixed', ms: 200 }, renderScale: 0.1, videoRenderScale: 0.1 });
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

/** Submits or polls through the gateway with a correct signature; answers the business envelope. */
async function call(action: 'CVSync2AsyncSubmitTask' | 'CVSync2AsyncGetResult', body: Record<string, unknown>) {
  const r = await send({ action, body: JSON.stringify(body) });
  return r as { status: number; json: { code: number; data: Record<string, unknown> | null } };
}

async function untilDone(reqKey: string, taskId: string, extra: Record<string, unknown> = {}) {
  for (let i = 0; i < 200; i++) {
    const r = await call('CVSync2AsyncGetResult', { req_key: reqKey, task_id: taskId, ...extra });
    if (r.json.data?.status !== 'in_queue' && r.json.data?.status !== 'generating') return r;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error('task never finished');
}

describe('one simulator for images and video', () => {
  const photo = () => sharp({ create: { width: 480, height: 640, channels: 3, background: '#c03030' } }).jpeg().toBuffer();

  it('runs an image task and a video task side by side in one task table, each answered in its own shape', async () => {
    const before = { ...sim.stats };
    const b64 = (await photo()).toString('base64');
    const img = await call('CVSync2AsyncSubmitTask', { req_key: 'jimeng_i2i_v30', prompt: '全家福', binary_data_base64: [b64], seed: 7 });
    const vid = await call('CVSync2AsyncSubmitTask', { req_key: 'jimeng_i2v_first_v30', prompt: '烟花', binary_data_base64: [b64], frames: 121 });
    expect([img.json.code, vid.json.code]).toEqual([10000, 10000]);
    const imgId = String(img.json.data!.task_id);
    const vidId = String(vid.json.data!.task_id);
    // A task belongs to its req_key: polling the video task as an image model is refused.
    const crossed = await call('CVSync2AsyncGetResult', { req_key: 'jimeng_i2i_v30', task_id: vidId });
    expect([crossed.status, crossed.json.code]).toEqual([400, 50215]);

    const image = await untilDone('jimeng_i2i_v30', imgId, { req_json: JSON.stringify({ return_url: true }) });
    expect(image.json.data).toMatchObject({ status: 'done', binary_data_base64: null });
    const imageUrl = (image.json.data!.image_urls as string[])[0]!;
    const jpeg = await request(imageUrl);
    expect([jpeg.statusCode, jpeg.headers['content-type']]).toEqual([200, 'image/jpeg']);
    expect((await sharp(Buffer.from(await jpeg.body.arrayBuffer())).metadata()).format).toBe('jpeg');

    const video = await untilDone('jimeng_i2v_first_v30', vidId, { req_json: JSON.stringify({ aigc_meta: { producer_id: 'K1', content_propagator: 'kiosk' } }) });
    expect(video.json.data).toMatchObject({ status: 'done', video_url: expect.stringMatching(/\/files\/.+\.mp4\?X-Expires=3600$/), aigc_meta_tagged: true });
    const mp4 = await request(String(video.json.data!.video_url));
    const bytes = Buffer.from(await mp4.body.arrayBuffer());
    expect([mp4.statusCode, mp4.headers['content-type'], bytes.subarray(4, 8).toString()]).toEqual([200, 'video/mp4', 'ftyp']);

    expect(sim.stats.tasksCreated - before.tasksCreated).toBe(2);
    expect(sim.stats.billedImages - before.billedImages).toBe(1);
    expect(sim.stats.billedVideos - before.billedVideos).toBe(1);
    expect(sim.stats.lastSubmit).toMatchObject({ req_key: 'jimeng_i2v_first_v30', binary_data_base64: '[1]' });
  });

  it('one signature check for both: a video submit signed with the wrong secret is refused at the gateway', async () => {
    const wrong = await startJimengSimulator({ secretKey: 'another-secret' });
    try {
      const url = new URL(wrong.url);
      const body = JSON.stringify({ req_key: 'jimeng_i2v_first_v30', prompt: 'x', binary_data_base64: [(await photo()).toString('base64')] });
      const s = signRequest({ method: 'POST', host: url.host, query: { Action: 'CVSync2AsyncSubmitTask', Version: '2022-08-31' }, headers: { 'content-type': 'application/json' }, body, accessKey: wrong.accessKey, secretKey: 'simulator-secret', region: 'cn-north-1', service: 'cv', xDate: xDateOf(new Date()) });
      delete s.headers.host;
      const r = await request(`${wrong.url}/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31`, { method: 'POST', headers: s.headers, body });
      expect([r.statusCode, gatewayCode((await r.body.json()) as Record<string, unknown>)]).toEqual([401, 100010]);
      expect(wrong.stats.submits).toBe(0);
    } finally {
      await wrong.close();
    }
  });

  it('video faults: 50516 when the clip fails the audit, a dead video_url when it expired; image-only faults do not touch video', async () => {
    const b64 = (await photo()).toString('base64');
    const submit = () => call('CVSync2AsyncSubmitTask', { req_key: 'jimeng_i2v_first_v30', prompt: '烟花', binary_data_base64: [b64] });
    sim.setFaults({}, ['post_audit', 'url_expired', 'broken_face']);
    const audited = await submit();
    const expired = await submit();
    const untouched = await submit();
    sim.setFaults({});
    const a = await untilDone('jimeng_i2v_first_v30', String(audited.json.data!.task_id));
    expect([a.status, a.json.code, a.json.data]).toEqual([400, 50516, null]);
    const e = await untilDone('jimeng_i2v_first_v30', String(expired.json.data!.task_id));
    const dead = await request(String(e.json.data!.video_url));
    expect([dead.statusCode, ((await dead.body.json()) as { Code: string }).Code]).toEqual([403, 'AccessDenied']);
    const u = await untilDone('jimeng_i2v_first_v30', String(untouched.json.data!.task_id));
    expect((await request(String(u.json.data!.video_url))).statusCode).toBe(200);
  });

  it('checks the video parameters (§3.4) and answers not_found for an unknown task in the video shape', async () => {
    const tiny = (await sharp({ create: { width: 200, height: 200, channels: 3, background: '#000' } }).jpeg().toBuffer()).toString('base64');
    const small = await call('CVSync2AsyncSubmitTask', { req_key: 'jimeng_i2v_first_v30', prompt: 'x', binary_data_base64: [tiny] });
    expect([small.status, small.json.code]).toEqual([400, 50215]);
    const frames = await call('CVSync2AsyncSubmitTask', { req_key: 'jimeng_i2v_first_v30', prompt: 'x', binary_data_base64: [(await photo()).toString('base64')], frames: 100 });
    expect([frames.status, frames.json.code]).toEqual([400, 50215]);
    const gone = await call('CVSync2AsyncGetResult', { req_key: 'jimeng_i2v_first_v30', task_id: '1234567890123456789' });
    expect(gone.json.data).toEqual({ status: 'not_found', video_url: null });
  });
});
