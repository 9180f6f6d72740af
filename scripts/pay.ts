// Operator CLI for the kiosk's merchant accounts (same config as the kiosk): WeChat Pay by default,
// Alipay with `--provider alipay` (same commands, same JSON lines; refund-query also takes --out-trade-no):
//   npm run pay -- create --amount <fen> --description <text> [--ttl <seconds>] [--out-trade-no <no>] [--qr]
//   npm run pay -- query <out_trade_no>
//   npm run pay -- close <out_trade_no>                 (close, then query: prints the settled state)
//   npm run pay -- refund <out_trade_no> --amount <fen> --reason <text> [--out-refund-no <no>] [--pin <pin>]
//   npm run pay -- refund-query <out_refund_no>
//   npm run pay -- import-keys [--private-key-file <pem>] [--apiv3-key-stdin]   (into the secret store)
//   npm run pay -- hash-pin                              (reads a PIN, prints its scrypt hash)
//   npm run pay -- certificates [--out <pem>]            (certificate-mode merchants: download platform certificates)
// Each prints exactly one JSON line on stdout; failures print {"ok":false,"code":…} and exit non-zero,
// including an answer whose signature does not verify. Refunds need the admin PIN.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import QRCode from 'qrcode';
import { setLogFile } from '../electron/main/infra/log';
import { adminRefundsTodayFen, startOfLocalDay } from '../electron/main/services/admin/reports';
import { dataDir } from '../electron/main/infra/paths';
import { hashPin, verifyPin } from '../electron/main/services/config/pin';
import { createSecretStore, defaultSecretsFile, type SecretStore } from '../electron/main/services/config/secrets';
import { PaymentError } from '../electron/main/services/payment/types';
import { createWeChatPay, SECRET_APIV3_KEY, SECRET_PRIVATE_KEY, WeChatPayConfigError } from '../electron/main/services/payment/wechatpay';
import { downloadPlatformCertificates } from '../electron/main/services/payment/wechatpay/certificates';
import { wechatPayBaseConfigFromEnv } from '../electron/main/services/payment/wechatpay/config';
import { loadSigningCredentials } from '../electron/main/services/payment/wechatpay/credentials';
import { WeChatPayHttp } from '../electron/main/services/payment/wechatpay/http';
import { buildVerifierKeys } from '../electron/main/services/payment/wechatpay/keys';
import { writeFileAtomic } from '../electron/main/infra/files';
import { OUT_REFUND_NO_RE, OUT_TRADE_NO_RE } from '../electron/main/services/payment/wechatpay/wire';
import { providersOf } from '../electron/main/providerRegistry';
import { ALIPAY_REQUEST_NO_RE, ALIPAY_TRADE_NO_RE, AlipayConfigError, createAlipay, SECRET_ALIPAY_PRIVATE_KEY } from '../electron/main/services/payment/alipay';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(text: string): void;
  /** Reads one line (the PIN) from the TTY or stdin; null when there is none. */
  readLine(prompt: string, hidden: boolean): Promise<string | null>;
}

class CliFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function parseArgs(argv: string[]): { cmd: string | undefined; positional: string[]; flags: Map<string, string | true> } {
  const [cmd, ...rest] = argv;
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < rest.length && !rest[i + 1]!.startsWith('--')) flags.set(a.slice(2), rest[++i]!);
      else flags.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { cmd, positional, flags };
}

const str = (flags: Map<string, string | true>, name: string): string | undefined => {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
};

function fen(flags: Map<string, string | true>, name: string): number {
  const v = str(flags, name);
  if (!v || !/^\d{1,9}$/.test(v) || Number(v) < 1) throw new CliFailure('USAGE', `--${name} <fen> must be a whole number of fen ≥ 1`, 2);
  return Number(v);
}

function tradeNoArg(positional: string[], re: RegExp, what: string): string {
  const v = positional[0];
  if (!v || !re.test(v)) throw new CliFailure('USAGE', `expected ${what}`, 2);
  return v;
}

/** The kiosk's data directory config.json `wechatpay` section, read-only (never created here). */
function kioskConfig(env: NodeJS.ProcessEnv): { wechatpay?: unknown; alipay?: unknown; adminPinHash?: unknown; dailyRefundCapFen?: unknown; root: string } {
  const root = dataDir(undefined, env);
  const file = join(root, 'config.json');
  if (!existsSync(file)) return { root };
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { wechatpay?: unknown; alipay?: unknown; adminPinHash?: unknown; dailyRefundCapFen?: unknown };
    return { ...c, root };
  } catch {
    throw new CliFailure('CONFIG_INVALID', `${file} is not valid JSON`);
  }
}

function openSecrets(root: string): SecretStore | null {
  const file = defaultSecretsFile(root);
  return existsSync(file) ? createSecretStore({ file }) : null;
}

/** Sealed by Electron safeStorage: this CLI cannot read them; key files / env must be used instead. */
const SEALED_HINT = 'the secret store is sealed by the Electron host (safeStorage); pass WECHATPAY_PRIVATE_KEY_FILE / WECHATPAY_APIV3_KEY to this CLI';

async function checkPin(flags: Map<string, string | true>, io: CliIo, cfgHash: unknown): Promise<void> {
  const hash = io.env.KIOSK_ADMIN_PIN_HASH || (typeof cfgHash === 'string' ? cfgHash : undefined);
  if (!hash) throw new CliFailure('ADMIN_PIN_NOT_SET', 'no admin PIN hash configured (KIOSK_ADMIN_PIN_HASH or adminPinHash in config.json)');
  const pin = str(flags, 'pin') ?? (await io.readLine('管理员密码 / admin PIN: ', true));
  if (!pin || !(await verifyPin(pin.trim(), hash))) throw new CliFailure('ADMIN_PIN_WRONG', '管理员密码错误 / wrong admin PIN');
}

/** Same default as the kiosk config (config/index.ts). */
const DEFAULT_DAILY_REFUND_CAP_FEN = 50_000;

interface LedgerLine {
  at: string;
  outTradeNo: string;
  outRefundNo: string;
  fen: number;
}

/**
 * The daily refund cap covers operator refunds from this CLI (its own ledger, one entry per
 * out_refund_no, written before the call) plus the admin screen's refunds in the kiosk database.
 */
function refundCapCheck(root: string, capFen: number, outTradeNo: string, outRefundNo: string, fen: number): void {
  const ledger = join(root, 'operator-refunds.jsonl');
  const since = startOfLocalDay(new Date()).getTime();
  const today = new Map<string, number>();
  if (existsSync(ledger)) {
    for (const line of readFileSync(ledger, 'utf8').split('\n')) {
      try {
        const l = JSON.parse(line) as LedgerLine;
        if (Date.parse(l.at) >= since && Number.isSafeInteger(l.fen)) today.set(l.outRefundNo, l.fen);
      } catch {
        // a torn last line after a crash: ignore it
      }
    }
  }
  if (today.has(outRefundNo)) return; // a retry of a refund already counted
  let kioskFen = 0;
  const dbFile = join(root, 'kiosk.sqlite');
  if (existsSync(dbFile)) {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      kioskFen = adminRefundsTodayFen(db);
    } catch {
      kioskFen = 0; // an older database without the refunds table
    } finally {
      db.close();
    }
  }
  const used = [...today.values()].reduce((a, b) => a + b, 0) + kioskFen;
  if (used + fen > capFen) {
    throw new CliFailure('REFUND_CAP', `已达今日退款上限 / daily refund cap reached (cap ${capFen} fen, used ${used} fen)`);
  }
  const entry: LedgerLine = { at: new Date().toISOString(), outTradeNo, outRefundNo, fen };
  appendFileSync(ledger, JSON.stringify(entry) + '\n', { mode: 0o600 });
}

export async function runPayCli(argv: string[], io: CliIo): Promise<number> {
  // `--provider <id>` may come before the command (npm run pay -- --provider alipay create …).
  const rest = [...argv];
  let providerFlag: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--provider' && i + 1 < rest.length) {
      providerFlag = rest.splice(i, 2)[1];
      break;
    }
    if (rest[i]!.startsWith('--provider=')) {
      providerFlag = rest.splice(i, 1)[0]!.slice('--provider='.length);
      break;
    }
  }
  const { cmd, positional, flags } = parseArgs(rest);
  if (providerFlag !== undefined) flags.set('provider', providerFlag);
  const print = (v: Record<string, unknown>) => io.out(JSON.stringify(v));
  try {
    if (!cmd || cmd === 'help' || flags.has('help')) {
      throw new CliFailure('USAGE', 'commands: create --amount <fen> --description <text> | query <no> | close <no> | refund <no> --amount <fen> --reason <text> | refund-query <refund_no> | import-keys | hash-pin | certificates [--out <pem>]', 2);
    }
    if (cmd === 'hash-pin') {
      const pin = str(flags, 'pin') ?? (await io.readLine('新管理员密码 / new admin PIN: ', true));
      if (!pin) throw new CliFailure('USAGE', 'no PIN given', 2);
      try {
        print({ ok: true, hash: await hashPin(pin.trim()) });
      } catch (e) {
        throw new CliFailure('USAGE', (e as Error).message, 2);
      }
      return 0;
    }

    const kiosk = kioskConfig(io.env);
    const secrets = openSecrets(kiosk.root);
    // The merchant accounts this CLI can drive: the provider registry's real (non-demo) payment providers.
    const payProviders: string[] = providersOf('payment').filter((p) => !p.demo).map((p) => p.id);
    const chosen = str(flags, 'provider') ?? 'wechatpay';
    if (!payProviders.includes(chosen)) throw new CliFailure('USAGE', `--provider is one of ${payProviders.join(', ')}`, 2);
    if (chosen === 'alipay') return await runAlipay(cmd, positional, flags, io, kiosk, secrets, print);

    if (cmd === 'import-keys') {
      if (secrets?.locked) throw new CliFailure('SECRETS_SEALED', SEALED_HINT);
      const store = secrets ?? createSecretStore({ file: defaultSecretsFile(kiosk.root) });
      const imported: string[] = [];
      const keyFile = str(flags, 'private-key-file') ?? io.env.WECHATPAY_PRIVATE_KEY_FILE;
      if (keyFile) {
        const pem = readFileSync(keyFile, 'utf8');
        if (!pem.includes('PRIVATE KEY')) throw new CliFailure('USAGE', `${keyFile} is not a PEM private key`, 2);
        store.set(SECRET_PRIVATE_KEY, pem);
        imported.push(SECRET_PRIVATE_KEY);
      }
      const v3 = flags.has('apiv3-key-stdin') ? await io.readLine('APIv3 key: ', true) : io.env.WECHATPAY_APIV3_KEY;
      if (v3) {
        if (v3.trim().length !== 32) throw new CliFailure('USAGE', 'the APIv3 key has 32 characters', 2);
        store.set(SECRET_APIV3_KEY, v3.trim());
        imported.push(SECRET_APIV3_KEY);
      }
      print({ ok: true, imported, protection: store.protection, file: defaultSecretsFile(kiosk.root) });
      return 0;
    }

    if (cmd === 'certificates') {
      let base;
      try {
        base = wechatPayBaseConfigFromEnv(kiosk.wechatpay, io.env);
      } catch (e) {
        throw new CliFailure('CONFIG_INVALID', (e as Error).message);
      }
      if (!base) throw new CliFailure('NOT_CONFIGURED', 'WeChat Pay is not configured: set WECHATPAY_MCHID etc.');
      let credentials;
      try {
        credentials = loadSigningCredentials(base, secrets);
      } catch (e) {
        throw new CliFailure(secrets?.locked ? 'SECRETS_SEALED' : 'CONFIG_INVALID', (e as Error).message);
      }
      if (!credentials.apiv3Key) throw new CliFailure('CONFIG_INVALID', 'the APIv3 key is needed to decrypt the certificates');
      const http = new WeChatPayHttp({ endpoint: base.endpoint, credentials, timeoutMs: base.requestTimeoutMs });
      // A merchant that also has the WeChat Pay public key can check (signed) refusals with it.
      const known =
        base.publicKeyFile && base.publicKeyId
          ? buildVerifierKeys({ publicKey: { id: base.publicKeyId, pem: readFileSync(base.publicKeyFile, 'utf8') } })
          : new Map<string, KeyObject>();
      const certs = await downloadPlatformCertificates(http, credentials.apiv3Key, known);
      const file = str(flags, 'out') ?? join(kiosk.root, 'wechatpay_platform_certs.pem');
      writeFileAtomic(file, certs.map((c) => c.pem.trim()).join('\n') + '\n');
      print({ ok: true, file, certificates: certs.map((c) => ({ serial: c.serial, not_after: c.notAfter })) });
      return 0;
    }

    let setup;
    try {
      setup = createWeChatPay({ section: kiosk.wechatpay, env: io.env, secrets });
    } catch (e) {
      if (e instanceof WeChatPayConfigError) throw new CliFailure('CONFIG_INVALID', e.message);
      if (secrets?.locked) throw new CliFailure('SECRETS_SEALED', `${(e as Error).message} — ${SEALED_HINT}`);
      throw new CliFailure('CONFIG_INVALID', (e as Error).message);
    }
    if (!setup) throw new CliFailure('NOT_CONFIGURED', 'WeChat Pay is not configured: set WECHATPAY_MCHID etc. or the wechatpay section of config.json');
    const { provider, config } = setup;

    switch (cmd) {
      case 'create': {
        return await createTrade(provider, flags, io, print, { ttl: config.orderTtlSeconds, re: OUT_TRADE_NO_RE, rule: '6–32 of [0-9A-Za-z_-*]' });
      }
      case 'query': {
        const no = tradeNoArg(positional, OUT_TRADE_NO_RE, 'query <out_trade_no>');
        const d = await provider.queryDetail(no);
        print({ ok: true, out_trade_no: d.outTradeNo, trade_state: d.state, transaction_id: d.transactionId, amount: d.amountFen, success_time: d.successTime, attach: d.attach });
        return 0;
      }
      case 'close': {
        const no = tradeNoArg(positional, OUT_TRADE_NO_RE, 'close <out_trade_no>');
        const d = await provider.closeAndSettle(no);
        print({ ok: true, out_trade_no: no, trade_state: d.state, transaction_id: d.transactionId });
        return d.state === 'CLOSED' ? 0 : 3; // 3: it was paid before the close took effect
      }
      case 'refund': {
        const no = tradeNoArg(positional, OUT_TRADE_NO_RE, 'refund <out_trade_no>');
        const { amount, reason, outRefundNo } = await refundArgs(flags, io, kiosk, no, { re: OUT_REFUND_NO_RE, rule: '1–64 of [0-9A-Za-z_-|*@]' });
        const trade = await provider.queryDetail(no);
        if (trade.state !== 'SUCCESS' && trade.state !== 'REFUND') throw new CliFailure('NOT_PAID', `order is ${trade.state}, nothing to refund`);
        const totalFen = refundLimits(kiosk, no, outRefundNo, amount, trade.amountFen);
        const r = await provider.refundDetail({ outTradeNo: no, outRefundNo, totalFen, refundFen: amount, reason });
        print({ ok: true, out_trade_no: no, out_refund_no: r.outRefundNo, refund_id: r.refundId, status: r.state, refund: r.refundFen });
        return 0;
      }
      case 'refund-query': {
        const no = tradeNoArg(positional, OUT_REFUND_NO_RE, 'refund-query <out_refund_no>');
        const r = await provider.queryRefundDetail(no);
        print({ ok: true, out_refund_no: r.outRefundNo, out_trade_no: r.outTradeNo, status: r.state, refund: r.refundFen, success_time: r.successTime });
        return 0;
      }
      default:
        throw new CliFailure('USAGE', `unknown command ${cmd}`, 2);
    }
  } catch (e) {
    if (e instanceof CliFailure) {
      print({ ok: false, code: e.code, message: e.message });
      return e.exitCode;
    }
    if (e instanceof PaymentError) {
      const extra = e as PaymentError & { status?: number; requestId?: string; reason?: string };
      print({ ok: false, code: e.code, message: e.message, action: e.action, status: extra.status, request_id: extra.requestId, reason: extra.reason });
      return 1;
    }
    print({ ok: false, code: 'INTERNAL', message: (e as Error).message });
    return 1;
  }
}

/** `create` for either provider: the same flags, checks and JSON line; only the trade number rule and default TTL differ. */
async function createTrade(
  provider: { create(o: { outTradeNo: string; amountFen: number; description: string; expiresAt: Date; attach: string }): Promise<{ codeUrl: string }> },
  flags: Map<string, string | true>,
  io: CliIo,
  print: (v: Record<string, unknown>) => void,
  rules: { ttl: number; re: RegExp; rule: string },
): Promise<number> {
  const amount = fen(flags, 'amount');
  const description = str(flags, 'description');
  if (!description) throw new CliFailure('USAGE', '--description <text> is required', 2);
  const ttl = Number(str(flags, 'ttl') ?? rules.ttl);
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 7200) throw new CliFailure('USAGE', '--ttl is 60–7200 seconds', 2);
  const outTradeNo = str(flags, 'out-trade-no') ?? `OP${new Date().toISOString().replace(/\D/g, '').slice(2, 14)}${randomBytes(4).toString('hex')}`;
  if (!rules.re.test(outTradeNo)) throw new CliFailure('USAGE', `--out-trade-no must be ${rules.rule}`, 2);
  const expiresAt = new Date(Date.now() + ttl * 1000);
  const { codeUrl } = await provider.create({ outTradeNo, amountFen: amount, description, expiresAt, attach: 'operator-cli' });
  if (flags.has('qr')) io.err(await QRCode.toString(codeUrl, { type: 'terminal', small: true }));
  print({ ok: true, out_trade_no: outTradeNo, code_url: codeUrl, amount, time_expire: expiresAt.toISOString() });
  return 0;
}

/** `refund`'s flags for either provider, and the admin PIN (asked before the provider is called). */
async function refundArgs(
  flags: Map<string, string | true>,
  io: CliIo,
  kiosk: ReturnType<typeof kioskConfig>,
  no: string,
  rules: { re: RegExp; rule: string },
): Promise<{ amount: number; reason: string; outRefundNo: string }> {
  const amount = fen(flags, 'amount');
  const reason = str(flags, 'reason');
  if (!reason) throw new CliFailure('USAGE', '--reason <text> is required', 2);
  const outRefundNo = str(flags, 'out-refund-no') ?? `OPR${no}`.slice(0, 64);
  if (!rules.re.test(outRefundNo)) throw new CliFailure('USAGE', `--out-refund-no must be ${rules.rule}`, 2);
  await checkPin(flags, io, kiosk.adminPinHash);
  return { amount, reason, outRefundNo };
}

/** Never more than the trade's total (which must be known), and within the kiosk's daily refund cap. Returns the total. */
function refundLimits(kiosk: ReturnType<typeof kioskConfig>, no: string, outRefundNo: string, amount: number, totalFen: number | undefined): number {
  if (totalFen === undefined || amount > totalFen) throw new CliFailure('USAGE', `refund exceeds the order total (${totalFen ?? '?'} fen)`, 2);
  const cap = typeof kiosk.dailyRefundCapFen === 'number' ? kiosk.dailyRefundCapFen : DEFAULT_DAILY_REFUND_CAP_FEN;
  refundCapCheck(kiosk.root, cap, no, outRefundNo, amount);
  return totalFen;
}

/**
 * `--provider alipay`: the same commands and the same JSON lines as WeChat's, from the kiosk's Alipay
 * settings (ALIPAY_* env or the alipay section of config.json). trade_state is Alipay's trade_status
 * (TRADE_NOT_EXIST while a precreated QR has not been scanned); `state` is the kiosk's word for it.
 */
async function runAlipay(
  cmd: string,
  positional: string[],
  flags: Map<string, string | true>,
  io: CliIo,
  kiosk: ReturnType<typeof kioskConfig> & { alipay?: unknown },
  secrets: SecretStore | null,
  print: (v: Record<string, unknown>) => void,
): Promise<number> {
  if (cmd === 'import-keys') {
    if (secrets?.locked) throw new CliFailure('SECRETS_SEALED', SEALED_HINT);
    const store = secrets ?? createSecretStore({ file: defaultSecretsFile(kiosk.root) });
    const keyFile = str(flags, 'private-key-file') ?? io.env.ALIPAY_PRIVATE_KEY_FILE;
    if (!keyFile) throw new CliFailure('USAGE', '--private-key-file <pem> (or ALIPAY_PRIVATE_KEY_FILE) is required', 2);
    store.set(SECRET_ALIPAY_PRIVATE_KEY, readFileSync(keyFile, 'utf8'));
    print({ ok: true, imported: [SECRET_ALIPAY_PRIVATE_KEY], protection: store.protection, file: defaultSecretsFile(kiosk.root) });
    return 0;
  }
  let setup;
  try {
    setup = createAlipay({ section: kiosk.alipay, env: io.env, secrets });
  } catch (e) {
    if (e instanceof AlipayConfigError) throw new CliFailure('CONFIG_INVALID', e.message);
    if (secrets?.locked) throw new CliFailure('SECRETS_SEALED', `${(e as Error).message} — the secret store is sealed by the Electron host; pass ALIPAY_PRIVATE_KEY_FILE`);
    throw new CliFailure('CONFIG_INVALID', (e as Error).message);
  }
  if (!setup) throw new CliFailure('NOT_CONFIGURED', 'Alipay is not configured: set ALIPAY_APP_ID etc. or the alipay section of config.json');
  const { provider } = setup;
  const refundStatus = (s: string) => (s === 'success' ? 'SUCCESS' : s === 'processing' ? 'PROCESSING' : s === 'not_found' ? 'NOT_FOUND' : 'FAILED');
  switch (cmd) {
    case 'create': {
      return await createTrade(provider, flags, io, print, { ttl: 300, re: ALIPAY_TRADE_NO_RE, rule: '1–64 of [0-9A-Za-z_]' });
    }
    case 'query': {
      const no = tradeNoArg(positional, ALIPAY_TRADE_NO_RE, 'query <out_trade_no>');
      const st = await provider.query(no);
      if (st.state === 'not_found') {
        print({ ok: true, out_trade_no: no, trade_state: 'TRADE_NOT_EXIST', state: st.state });
        return 0;
      }
      const d = await provider.queryDetail(no);
      print({ ok: true, out_trade_no: d.outTradeNo, trade_state: d.tradeStatus, state: d.state, transaction_id: d.tradeNo, amount: d.amountFen, success_time: d.sendPayDate });
      return 0;
    }
    case 'close': {
      const no = tradeNoArg(positional, ALIPAY_TRADE_NO_RE, 'close <out_trade_no>');
      const { outcome, detail } = await provider.closeAndSettle(no);
      print({ ok: true, out_trade_no: no, trade_state: detail?.tradeStatus ?? 'TRADE_NOT_EXIST', state: detail?.state ?? 'not_found', close: outcome, transaction_id: detail?.tradeNo });
      return detail && (detail.state === 'paid' || detail.state === 'refunded') ? 3 : 0; // 3: it was paid before the close took effect
    }
    case 'refund': {
      const no = tradeNoArg(positional, ALIPAY_TRADE_NO_RE, 'refund <out_trade_no>');
      const { amount, reason, outRefundNo } = await refundArgs(flags, io, kiosk, no, { re: ALIPAY_REQUEST_NO_RE, rule: '1–64 of [0-9A-Za-z_]' });
      const trade = await provider.query(no);
      if (trade.state !== 'paid' && trade.state !== 'refunded') throw new CliFailure('NOT_PAID', `trade is ${trade.state}, nothing to refund`);
      const totalFen = refundLimits(kiosk, no, outRefundNo, amount, trade.amountFen);
      const r = await provider.refundDetail({ outTradeNo: no, outRefundNo, totalFen, refundFen: amount, reason });
      print({ ok: true, out_trade_no: no, out_refund_no: outRefundNo, refund_id: r.tradeNo, status: refundStatus(r.state), refund: r.refundFen, fund_change: r.fundChange });
      return 0;
    }
    case 'refund-query': {
      const refundNo = tradeNoArg(positional, ALIPAY_REQUEST_NO_RE, 'refund-query <out_refund_no> --out-trade-no <no>');
      const no = str(flags, 'out-trade-no');
      if (!no || !ALIPAY_TRADE_NO_RE.test(no)) throw new CliFailure('USAGE', 'Alipay needs the trade too: refund-query <out_refund_no> --out-trade-no <no>', 2);
      const r = await provider.queryRefundDetail(refundNo, no);
      print({ ok: true, out_refund_no: refundNo, out_trade_no: no, status: refundStatus(r.state), refund: r.refundFen, success_time: r.gmtRefundPay });
      return r.state === 'not_found' ? 1 : 0;
    }
    default:
      throw new CliFailure('USAGE', `unknown command ${cmd} for --provider alipay (create | query | close | refund | refund-query | import-keys)`, 2);
  }
}

function readLineFromTerminal(prompt: string, hidden: boolean): Promise<string | null> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    if (stdin.isTTY && hidden) {
      process.stderr.write(prompt);
      let buf = '';
      stdin.setRawMode(true);
      stdin.resume();
      const onData = (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off('data', onData);
            process.stderr.write('\n');
            return resolve(buf);
          }
          if (ch === '\u0003') {
            stdin.setRawMode(false);
            process.stderr.write('\n');
            return resolve(null);
          }
          if (ch === '\u007f') buf = buf.slice(0, -1);
          else buf += ch;
        }
      };
      stdin.on('data', onData);
      return;
    }
    const rl = createInterface({ input: stdin, output: stdin.isTTY ? process.stderr : undefined, terminal: stdin.isTTY });
    let answered = false;
    rl.question(stdin.isTTY ? prompt : '', (a) => {
      answered = true;
      rl.close();
      resolve(a);
    });
    rl.on('close', () => {
      if (!answered) resolve(null);
    });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  setLogFile(null, { quiet: !process.argv.includes('--verbose') });
  const code = await runPayCli(
    process.argv.slice(2).filter((a) => a !== '--verbose'),
    { env: process.env, out: (l) => process.stdout.write(l + '\n'), err: (t) => process.stderr.write(t), readLine: readLineFromTerminal },
  );
  process.exitCode = code;
}
