// The default share: the kiosk's own phone listener serves the result. Files are copied into
// <data>/share/<key>; URLs carry an expiry and an HMAC so a link cannot be forged or extended,
// like an OSS signed URL. Keys are unguessable (128-bit random part) on top of that.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { ShareStore } from '../types';
import { writeFileAtomic } from '../../../infra/files';

export interface LanShareOptions {
  dir: string;
  /** Base URL of the phone listener, read at call time. */
  baseUrl: () => string;
  /** HMAC key; persisted by the caller so links survive a restart. */
  secret: Buffer;
}

export class LanShare implements ShareStore {
  readonly name = 'lan';
  constructor(private readonly opts: LanShareOptions) {}

  /** Absolute path for a key, refusing anything that would escape the share directory. */
  pathOf(key: string): string | null {
    if (!/^[A-Za-z0-9_\-/.]+$/.test(key) || key.includes('..')) return null;
    const root = resolve(this.opts.dir);
    const p = resolve(root, key);
    return p.startsWith(root + sep) ? p : null;
  }

  async put(key: string, filePath: string): Promise<void> {
    const dest = this.pathOf(key);
    if (!dest) throw new Error(`invalid share key ${key}`);
    if (existsSync(dest)) return;
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
    copyFileSync(filePath, tmp);
    renameSync(tmp, dest);
  }

  async url(key: string, ttlSec: number): Promise<string> {
    const exp = Math.floor(Date.now() / 1000) + ttlSec;
    return `${this.opts.baseUrl()}/p/file/${key}?exp=${exp}&sig=${this.sign(key, exp)}`;
  }

  async remove(keys: string[]): Promise<void> {
    for (const k of keys) {
      const p = this.pathOf(k);
      if (p) rmSync(p, { force: true });
    }
  }

  private sign(key: string, exp: number): string {
    return createHmac('sha256', this.opts.secret).update(`${key}\n${exp}`).digest('base64url');
  }

  /** Checks a request for /p/file/<key>?exp&sig; returns the file path when the link is valid and the file exists. */
  resolveSigned(key: string, exp: string | null, sig: string | null, now = Date.now()): string | null {
    if (!exp || !sig || !/^\d+$/.test(exp) || Number(exp) * 1000 < now) return null;
    const want = Buffer.from(this.sign(key, Number(exp)));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    const p = this.pathOf(key);
    return p && existsSync(p) ? p : null;
  }
}

/** Reads or creates the persistent HMAC key for LAN links. */
export function lanShareSecret(dir: string): Buffer {
  const file = join(dir, 'share-link.key');
  if (existsSync(file)) return readFileSync(file);
  const key = randomBytes(32);
  writeFileAtomic(file, key);
  return key;
}
