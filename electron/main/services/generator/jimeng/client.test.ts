import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JimengClient } from './client';
import { JimengConfig } from './config';
import { JimengError } from './errors';
import { startJimengSimulator, type JimengSimulator } from '../../../../sim/jimeng/simulator';

let sim: JimengSimulator;
let photo: Buffer;

const configFor = (endpoint: string, over: Partial<JimengConfig> = {}) =>
  JimengConfig.parse({
    endpoint,
    accessKey: sim.accessKey,
    secretKey: sim.secretKey,
    polling: { initialMs: 20, minMs: 10, maxMs: 50 },
    retries: { throttle: 3, server: 2, resubmit: 1, backoffMs: 5 },
    ...over,
  });

beforeAll(async () => {
  sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 60 }, renderScale: 0.15 });
  photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#c08060' } }).jpeg().toBuffer();
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.setFaults({}, []);
  vi.useRealTimers();
});

const body = () => ({ prompt: '背景换成故宫红墙', binary_data_base64: [photo.toString('base64')], seed: 7, width: 1472, height: 1104 });

describe('JimengClient against the simulator', () => {
  it('submits, polls and returns a real image, with the task id kept as a string', async () => {
    const client = new JimengClient({ config: configFor(sim.url) });
    const submitted: string[] = [];
    const out = await client.run('jimeng_i2i_v30', body(), { onSubmitted: (id) => submitted.push(id) });
    expect(out.status).toBe('done');
    expect(out.taskId).toMatch(/^\d{19}$/);
    expect(submitted).toEqual([out.taskId]);
    const meta = await sharp(Buffer.from(out.binaryDataBase64[0]!, 'base64')).metadata();
    expect(meta.format).toBe('jpeg');
    // learned from this task (measured from the submit's answer), used to place the next first poll
    expect(client.typicalDurationMs('jimeng_i2i_v30')).toBeGreaterThan(0);
    expect(client.typicalDurationMs('jimeng_i2i_v30')).toBeLessThan(1000);
    await client.close();
  });

  it('passes aigc_meta and return_url in req_json and downloads the URL result', async () => {
    const client = new JimengClient({ config: configFor(sim.url) });
    const out = await client.run('jimeng_i2i_v30', body(), {
      reqJson: { return_url: true, aigc_meta: { producer_id: 'kiosk-01-o1-0', content_producer: 'tuanyuan-kiosk' } },
    });
    expect(out.imageUrls).toHaveLength(1);
    const img = await client.download(out.imageUrls[0]!);
    expect((await sharp(img).metadata()).width).toBeGreaterThan(100);
    await expect(client.run('jimeng_i2i_v30', body(), { reqJson: { aigc_meta: { content_producer: 'x' } } })).rejects.toMatchObject({
      kind: 'invalid',
      code: 50215,
    });
    await client.close();
  });

  it('refuses to sign with a wrong secret: gateway 401 SignatureDoesNotMatch, not retried', async () => {
    const before = sim.stats.authFailures;
    const client = new JimengClient({ config: configFor(sim.url, { secretKey: 'wrong' }) });
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'auth', code: 100010, httpStatus: 401 });
    expect(sim.stats.authFailures - before).toBe(1);
    await client.close();
  });

  it('rejects a request signed with a skewed clock', async () => {
    const client = new JimengClient({ config: configFor(sim.url), now: () => new Date(Date.now() - 3600_000) });
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'auth', code: 100006 });
    await client.close();
  });

  it.each(['throttle', 'concurrent'] as const)('backs off and retries on %s (50429/50430)', async (fault) => {
    sim.setFaults({}, [fault, fault]);
    const client = new JimengClient({ config: configFor(sim.url) });
    const before = sim.stats.tasksCreated;
    const out = await client.run('jimeng_i2i_v30', body());
    expect(out.retries).toBe(2);
    expect(out.submits).toBe(1);
    expect(sim.stats.tasksCreated - before).toBe(1);
    await client.close();
  });

  it('gives up after the configured number of throttle retries', async () => {
    sim.setFaults({}, ['throttle', 'throttle', 'throttle', 'throttle', 'throttle']);
    const client = new JimengClient({ config: configFor(sim.url) });
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'throttled', code: 50429, httpStatus: 429 });
    await client.close();
  });

  it.each([
    ['input_audit', 50411],
    ['text_audit', 50413],
  ] as const)('stops at once on an input audit failure (%s → %d), creating no task', async (fault, code) => {
    sim.setFaults({}, [fault]);
    const client = new JimengClient({ config: configFor(sim.url) });
    const before = sim.stats.tasksCreated;
    const submitsBefore = sim.stats.submits;
    await expect(client.run('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'input_audit', code, httpStatus: 400 });
    expect(sim.stats.tasksCreated - before).toBe(0);
    expect(sim.stats.submits - submitsBefore).toBe(1);
    await client.close();
  });

  it('resubmits once when the output fails the audit (50511)', async () => {
    sim.setFaults({}, ['post_audit']);
    const client = new JimengClient({ config: configFor(sim.url) });
    const out = await client.run('jimeng_i2i_v30', body());
    expect(out.submits).toBe(2);
    expect(out.binaryDataBase64).toHaveLength(1);
    sim.setFaults({}, ['post_audit', 'post_audit']);
    await expect(client.run('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'resubmit', code: 50511 });
    await client.close();
  });

  it('resubmits a task that came back done but empty', async () => {
    sim.setFaults({}, ['partial']);
    const client = new JimengClient({ config: configFor(sim.url) });
    const out = await client.run('jimeng_i2i_v30', body());
    expect(out.submits).toBe(2);
    expect(out.binaryDataBase64).toHaveLength(1);
    await client.close();
  });

  it('retries 5xx a bounded number of times', async () => {
    sim.setFaults({}, ['server_error']);
    const client = new JimengClient({ config: configFor(sim.url) });
    const out = await client.run('jimeng_i2i_v30', body());
    expect(out.retries).toBe(1);
    sim.setFaults({}, ['server_error', 'server_error', 'server_error']);
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'server', code: 50500, httpStatus: 500 });
    await client.close();
  });

  it('resubmits a task that expired (not_found after its lifetime), then gives up', async () => {
    const short = await startJimengSimulator({ latency: { kind: 'fixed', ms: 200 }, taskTtlMs: 30, renderScale: 0.1, accessKey: sim.accessKey, secretKey: sim.secretKey });
    try {
      const client = new JimengClient({ config: configFor(short.url) });
      await expect(client.run('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'resubmit', code: 'NOT_FOUND' });
      expect(short.stats.tasksCreated).toBe(2);
      await client.close();
    } finally {
      await short.close();
    }
  });

  it('validates parameters per req_key (4.0 takes image_urls only)', async () => {
    const client = new JimengClient({ config: configFor(sim.url) });
    await expect(client.submit('jimeng_t2i_v40', body())).rejects.toMatchObject({ kind: 'invalid', code: 50215 });
    await client.close();
  });
});

describe('JimengClient timeouts (fake timers)', () => {
  it('gives up on a submit that never answers after the 30 s call timeout, then retries within bounds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    sim.setFaults({}, ['hang', 'hang', 'hang']);
    const client = new JimengClient({ config: configFor(sim.url, { retries: { throttle: 0, server: 2, resubmit: 0, backoffMs: 5 } }) });
    let lost = 0;
    const p = client.submit('jimeng_i2i_v30', body(), { onLostSubmit: () => lost++ });
    const settled = p.then(
      () => 'resolved',
      (e: JimengError) => e,
    );
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(29_000);
      await vi.advanceTimersByTimeAsync(1_100);
    }
    const e = await settled;
    expect(e).toBeInstanceOf(JimengError);
    expect(e).toMatchObject({ kind: 'server', code: 'TIMEOUT' });
    // each unanswered submit may have created a billable task: the caller is told about all three
    expect(lost).toBe(3);
    await client.close();
  });

  it('bounds the whole task by taskMs while it stays generating', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    sim.setLatency({ kind: 'fixed', ms: 3600_000 });
    const client = new JimengClient({ config: configFor(sim.url, { timeouts: { connectMs: 5000, callMs: 30_000, taskMs: 5_000 } }) });
    const settled = client.run('jimeng_i2i_v30', body()).then(
      () => 'resolved',
      (e: JimengError) => e,
    );
    for (let i = 0; i < 120; i++) await vi.advanceTimersByTimeAsync(50);
    expect(await settled).toMatchObject({ kind: 'server', code: 'TASK_TIMEOUT' });
    sim.setLatency({ kind: 'fixed', ms: 60 });
    await client.close();
  });
});

describe('JimengClient envelopes from a raw server', () => {
  let raw: Server;
  let rawUrl = '';
  let reply: { status: number; text: string } = { status: 200, text: '{}' };
  beforeAll(async () => {
    raw = createServer((_req, res) => {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.text);
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    raw.closeAllConnections();
    await new Promise<void>((r) => raw.close(() => r()));
  });

  it('keeps a numeric task id exact instead of rounding it through a double', async () => {
    reply = { status: 200, text: '{"code":10000,"message":"Success","data":{"task_id":7392616336519610409}}' };
    const client = new JimengClient({ config: configFor(rawUrl) });
    expect(await client.submit('jimeng_i2i_v30', body())).toBe('7392616336519610409');
    await client.close();
  });

  it('parses the JSON of a non-200 answer (400 + 50413)', async () => {
    reply = { status: 400, text: '{"code":50413,"data":null,"message":"Post Text Risk Not Pass","request_id":"r1","status":50413}' };
    const client = new JimengClient({ config: configFor(rawUrl) });
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'input_audit', code: 50413, requestId: 'r1' });
    await client.close();
  });

  it('treats a 502 HTML page from a proxy as a server error', async () => {
    reply = { status: 502, text: '<html>Bad Gateway</html>' };
    const client = new JimengClient({ config: configFor(rawUrl) });
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'server', code: 'HTTP_502' });
    await client.close();
  });

  it('reports missing credentials without calling anything', async () => {
    const client = new JimengClient({ config: configFor(rawUrl, { accessKey: '' }) });
    await expect(client.submit('jimeng_i2i_v30', body())).rejects.toMatchObject({ kind: 'auth', code: 'NO_CREDENTIALS' });
    await client.close();
  });
});
