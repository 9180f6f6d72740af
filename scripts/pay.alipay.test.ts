// `npm run pay -- --provider alipay …` against the Alipay simulator: the same commands and JSON
// lines as WeChat's, one line each, refunds behind the admin PIN and the daily cap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogFile } from '../electron/main/infra/log';
import { hashPin } from '../electron/main/services/config/pin';
import { startAlipaySimulator, type AlipaySimulator } from '../electron/sim/alipay/simulator';
import { runPayCli } from './pay';

setLogFile(null, { quiet: true });

let sim: AlipaySimulator;
let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paycli-alipay-'));
  sim = await startAlipaySimulator({ keyDir: join(dir, 'keys') });
  env = { ...sim.env, KIOSK_DATA_DIR: join(dir, 'data'), KIOSK_ADMIN_PIN_HASH: await hashPin('8642') };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], stdinLine: string | null = null) {
  const lines: string[] = [];
  const code = await runPayCli(args, { env, out: (l) => lines.push(l), err: () => undefined, readLine: async () => stdinLine });
  expect(lines).toHaveLength(1);
  return { code, json: JSON.parse(lines[0]!) as Record<string, unknown> };
}

describe('npm run pay -- --provider alipay', () => {
  it('create → query → (scan, pay) → query → refund (PIN) → refund-query; close of another trade', async () => {
    const c = await run(['--provider', 'alipay', 'create', '--amount', '1990', '--description', '打印+电子版']);
    expect(c.code).toBe(0);
    expect(c.json).toMatchObject({ ok: true, amount: 1990 });
    const no = c.json.out_trade_no as string;
    expect(c.json.code_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/qr\//);
    expect((await run(['--provider', 'alipay', 'query', no])).json).toMatchObject({ ok: true, trade_state: 'TRADE_NOT_EXIST', state: 'not_found' });
    await sim.pay(no);
    expect((await run(['--provider=alipay', 'query', no])).json).toMatchObject({ ok: true, trade_state: 'TRADE_SUCCESS', state: 'paid', amount: 1990 });

    const wrong = await run(['--provider', 'alipay', 'refund', no, '--amount', '1990', '--reason', '顾客不满意'], '0000');
    expect([wrong.code, wrong.json.code]).toEqual([1, 'ADMIN_PIN_WRONG']);
    const r = await run(['--provider', 'alipay', 'refund', no, '--amount', '1990', '--reason', '顾客不满意', '--pin', '8642']);
    expect(r).toMatchObject({ code: 0, json: { ok: true, status: 'SUCCESS', refund: 1990, fund_change: 'Y' } });
    // Run again (did it work?): same out_request_no, no second refund.
    const again = await run(['--provider', 'alipay', 'refund', no, '--amount', '1990', '--reason', '顾客不满意', '--pin', '8642']);
    expect(again.json).toMatchObject({ ok: true, status: 'SUCCESS', fund_change: 'N' });
    expect(sim.books().totals).toMatchObject({ refundCount: 1, refundedFen: 1990 });
    const rq = await run(['--provider', 'alipay', 'refund-query', `OPR${no}`, '--out-trade-no', no]);
    expect(rq.json).toMatchObject({ ok: true, status: 'SUCCESS', refund: 1990 });

    const c2 = await run(['--provider', 'alipay', 'create', '--amount', '990', '--description', '电子版']);
    const no2 = c2.json.out_trade_no as string;
    sim.scan(no2);
    const closed = await run(['--provider', 'alipay', 'close', no2]);
    expect(closed).toMatchObject({ code: 0, json: { ok: true, trade_state: 'TRADE_CLOSED', state: 'closed', close: 'closed' } });
  });

  it('fails with ok:false and a non-zero exit: not configured, unknown provider, an answer that does not verify', async () => {
    const none = await runPayCli(['--provider', 'alipay', 'query', 'X1'], { env: { KIOSK_DATA_DIR: join(dir, 'none') }, out: () => undefined, err: () => undefined, readLine: async () => null });
    expect(none).toBe(1);
    expect((await run(['--provider', 'unionpay', 'query', 'X1'])).json).toMatchObject({ ok: false, code: 'USAGE' });
    const c = await run(['--provider', 'alipay', 'create', '--amount', '990', '--description', '电子版']);
    sim.inject({ kind: 'bad-signature', method: 'alipay.trade.query', times: 3 });
    const bad = await run(['--provider', 'alipay', 'query', c.json.out_trade_no as string]);
    expect([bad.code, bad.json.ok, bad.json.code]).toEqual([1, false, 'RESPONSE_SIGNATURE_INVALID']);
  });
});
