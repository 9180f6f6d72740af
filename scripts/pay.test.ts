import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogFile } from '../electron/main/infra/log';
import { hashPin } from '../electron/main/services/config/pin';
import { createSecretStore, defaultSecretsFile } from '../electron/main/services/config/secrets';
import { startWeChatPaySimulator, type WeChatPaySimulator } from '../electron/sim/wechatpay/simulator';
import { runPayCli } from './pay';

setLogFile(null, { quiet: true });

let sim: WeChatPaySimulator;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paycli-'));
  sim = await startWeChatPaySimulator({ keyDir: join(dir, 'keys'), refundDelayMs: 30 });
  env = { ...sim.env, KIOSK_DATA_DIR: join(dir, 'data'), KIOSK_ADMIN_PIN_HASH: await hashPin('8642') };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], opts: { env?: NodeJS.ProcessEnv; stdinLine?: string | null } = {}) {
  const lines: string[] = [];
  const code = await runPayCli(args, {
    env: opts.env ?? env,
    out: (l) => lines.push(l),
    err: () => undefined,
    readLine: async () => opts.stdinLine ?? null,
  });
  expect(lines).toHaveLength(1); // exactly one JSON line, always
  return { code, json: JSON.parse(lines[0]!) as Record<string, unknown> };
}

describe('npm run pay', () => {
  it('create → query → (customer pays) → query → refund with the admin PIN', async () => {
    const c = await run(['create', '--amount', '1990', '--description', '打印+电子版']);
    expect(c.code).toBe(0);
    expect(c.json).toMatchObject({ ok: true, amount: 1990 });
    const no = c.json.out_trade_no as string;
    expect(c.json.code_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\//);

    expect((await run(['query', no])).json).toMatchObject({ ok: true, out_trade_no: no, trade_state: 'NOTPAY' });
    await sim.pay(no);
    expect((await run(['query', no])).json).toMatchObject({ ok: true, trade_state: 'SUCCESS', amount: 1990 });

    const wrong = await run(['refund', no, '--amount', '1990', '--reason', '顾客不满意'], { stdinLine: '0000' });
    expect([wrong.code, wrong.json.code]).toEqual([1, 'ADMIN_PIN_WRONG']);
    expect(sim.refunds()).toHaveLength(0);

    const r = await run(['refund', no, '--amount', '1990', '--reason', '顾客不满意'], { stdinLine: '8642' });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, status: 'PROCESSING', refund: 1990 });
    // The operator runs it again (did it work?): the same out_refund_no, still one refund.
    expect((await run(['refund', no, '--amount', '1990', '--reason', '顾客不满意', '--pin', '8642'])).code).toBe(0);
    expect(sim.books().totals).toMatchObject({ refundCount: 1, refundedFen: 1990 });
  });

  it('close prints the settled state; a paid order is reported, not hidden', async () => {
    const no = (await run(['create', '--amount', '990', '--description', '电子版'])).json.out_trade_no as string;
    expect((await run(['close', no])).json).toMatchObject({ ok: true, trade_state: 'CLOSED' });
    const paid = (await run(['create', '--amount', '990', '--description', '电子版'])).json.out_trade_no as string;
    await sim.pay(paid);
    const c = await run(['close', paid]);
    expect([c.code, c.json.trade_state]).toEqual([3, 'SUCCESS']);
  });

  it('fails with ok:false, the error code and a non-zero exit — also for an unverifiable answer', async () => {
    const nf = await run(['query', 'NEVER123456']);
    expect([nf.code, nf.json.ok, nf.json.code]).toEqual([1, false, 'ORDER_NOT_EXIST']);
    const no = (await run(['create', '--amount', '990', '--description', '电子版'])).json.out_trade_no as string;
    sim.inject({ kind: 'bad-signature', times: 3 });
    const bad = await run(['query', no]);
    expect([bad.code, bad.json.ok, bad.json.code]).toEqual([1, false, 'RESPONSE_SIGNATURE_INVALID']);
    sim.clearFaults();
    const usage = await run(['create', '--amount', '0', '--description', 'x']);
    expect([usage.code, usage.json.code]).toEqual([2, 'USAGE']);
    const unconfigured = await run(['query', 'NEVER123456'], { env: { KIOSK_DATA_DIR: join(dir, 'empty') } });
    expect([unconfigured.code, unconfigured.json.code]).toEqual([1, 'NOT_CONFIGURED']);
    const noPin = await run(['refund', no, '--amount', '1', '--reason', 'x'], { env: { ...env, KIOSK_ADMIN_PIN_HASH: '' } });
    expect(noPin.json.code).toBe('ADMIN_PIN_NOT_SET');
  });

  it('enforces the daily refund cap across operator refunds, counting a retried refund once', async () => {
    const data = join(dir, 'capdata');
    const capEnv = { ...env, KIOSK_DATA_DIR: data };
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'config.json'), JSON.stringify({ dailyRefundCapFen: 1500 }));
    const pay = async (fen: number) => {
      const no = (await run(['create', '--amount', String(fen), '--description', '电子版'], { env: capEnv })).json.out_trade_no as string;
      await sim.pay(no);
      return no;
    };
    const a = await pay(1000);
    const b = await pay(1000);
    expect((await run(['refund', a, '--amount', '1000', '--reason', '投诉', '--pin', '8642'], { env: capEnv })).code).toBe(0);
    expect((await run(['refund', a, '--amount', '1000', '--reason', '投诉', '--pin', '8642'], { env: capEnv })).code).toBe(0);
    const over = await run(['refund', b, '--amount', '1000', '--reason', '投诉', '--pin', '8642'], { env: capEnv });
    expect([over.code, over.json.code]).toEqual([1, 'REFUND_CAP']);
    expect(sim.refunds().filter((r) => r.outTradeNo === b)).toHaveLength(0);
    expect((await run(['refund', b, '--amount', '500', '--reason', '部分退款', '--pin', '8642'], { env: capEnv })).code).toBe(0);
  });

  it('downloads platform certificates (certificate mode) and then works with them; public-key merchants are refused', async () => {
    const certSim = await startWeChatPaySimulator({ keyDir: join(dir, 'certkeys'), mode: 'certificate' });
    try {
      const { WECHATPAY_PLATFORM_CERT_FILES: _c, ...noCerts } = certSim.env;
      const out = join(dir, 'platform.pem');
      const dl = await run(['certificates', '--out', out], { env: { ...noCerts, KIOSK_DATA_DIR: join(dir, 'certdata') } });
      expect(dl.code).toBe(0);
      expect(dl.json.certificates).toEqual([{ serial: certSim.platformSerial, not_after: expect.any(String) }]);
      const q = await run(['create', '--amount', '100', '--description', '测试'], { env: { ...noCerts, WECHATPAY_PLATFORM_CERT_FILES: out, KIOSK_DATA_DIR: join(dir, 'certdata') } });
      expect(q.json).toMatchObject({ ok: true });
    } finally {
      await certSim.close();
    }
    const refused = await run(['certificates', '--out', join(dir, 'x.pem')]);
    expect([refused.code, refused.json.code]).toEqual([1, 'NO_AUTH']);
  });

  it('import-keys moves the private key and APIv3 key into the secret store, which then suffices', async () => {
    const data = join(dir, 'data2');
    const imp = await run(['import-keys'], { env: { ...env, KIOSK_DATA_DIR: data } });
    expect(imp.json).toMatchObject({ ok: true, imported: ['wechatpay.private-key', 'wechatpay.apiv3-key'] });
    const store = createSecretStore({ file: defaultSecretsFile(data) });
    expect(store.get('wechatpay.private-key')).toContain('PRIVATE KEY');
    // Now run without the key file or APIv3 key in the environment: the secret store provides them.
    const { WECHATPAY_PRIVATE_KEY_FILE: _k, WECHATPAY_APIV3_KEY: _v, ...rest } = env;
    writeFileSync(join(data, 'config.json'), JSON.stringify({ adminPinHash: 'unused' }));
    const c = await run(['create', '--amount', '100', '--description', '测试'], { env: { ...rest, KIOSK_DATA_DIR: data } });
    expect(c.json).toMatchObject({ ok: true });
  });
});
