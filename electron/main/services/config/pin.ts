// The admin PIN is kept only as an scrypt hash: `scrypt$N$r$p$saltB64$hashB64`.
// Verification is constant-time and refuses parameters that would let a tampered config make
// the kiosk burn CPU or memory.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const DEFAULTS = { N: 16384, r: 8, p: 1, keyLen: 32 };
const MAX_N = 1 << 17;

function scrypt(pin: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(pin.normalize('NFKC'), salt, keyLen, { ...opts, maxmem: 256 * 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

export async function hashPin(pin: string): Promise<string> {
  if (typeof pin !== 'string' || !/^\d{4,12}$/.test(pin)) throw new RangeError('the admin PIN is 4 to 12 digits');
  const salt = randomBytes(16);
  const { N, r, p, keyLen } = DEFAULTS;
  const key = await scrypt(pin, salt, keyLen, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** False for a wrong PIN and for any malformed or unreasonable hash string; never throws. */
export async function verifyPin(pin: string, hash: string): Promise<boolean> {
  if (typeof pin !== 'string' || typeof hash !== 'string' || pin.length === 0 || pin.length > 64) return false;
  const parts = hash.trim().split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every(Number.isSafeInteger)) return false;
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 4) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || expected.length < 16 || expected.length > 64) return false;
  try {
    const key = await scrypt(pin, salt, expected.length, { N, r, p });
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}
