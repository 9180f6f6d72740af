import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setLogFile } from '../../infra/log';
import { createSecretStore, type SecretCipher } from './secrets';

const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Stands in for Electron safeStorage: a reversible transform that clearly is not the plaintext. */
const fakeSafeStorage: SecretCipher = {
  encrypt: (s) => Buffer.from(`SEALED:${Buffer.from(s).toString('hex')}`),
  decrypt: (b) => {
    const t = b.toString();
    if (!t.startsWith('SEALED:')) throw new Error('not sealed');
    return Buffer.from(t.slice(7), 'hex').toString();
  },
};

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

describe('SecretStore', () => {
  it('keeps values encrypted at rest with the injected cipher and reads them back after a restart', () => {
    const file = join(dir, 'a.json');
    const s = createSecretStore({ file, cipher: fakeSafeStorage });
    s.set('wechatpay.private-key', PEM);
    s.set('wechatpay.apiv3-key', 'a7cde1ef4a93ff6f9b8ba5c2b2d4fe21');
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('BEGIN PRIVATE KEY');
    expect(onDisk).not.toContain('a7cde1ef4a93ff6f9b8ba5c2b2d4fe21');
    const again = createSecretStore({ file, cipher: fakeSafeStorage });
    expect(again.get('wechatpay.private-key')).toBe(PEM);
    expect(again.has('wechatpay.apiv3-key')).toBe(true);
    expect(again.get('missing')).toBeNull();
    expect(again.protection).toBe('encrypted');
  });

  it('without a cipher writes a 0600 file and warns in the log without the values', () => {
    const file = join(dir, 'b.json');
    const logFile = join(dir, 'log.jsonl');
    setLogFile(logFile, { quiet: true });
    try {
      const s = createSecretStore({ file });
      s.set('wechatpay.apiv3-key', 'a7cde1ef4a93ff6f9b8ba5c2b2d4fe21');
      expect(s.protection).toBe('file-permissions');
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
      const log = readFileSync(logFile, 'utf8');
      expect(log).toContain('secrets_not_encrypted');
      expect(log).not.toContain('a7cde1ef4a93ff6f9b8ba5c2b2d4fe21');
      expect(createSecretStore({ file }).get('wechatpay.apiv3-key')).toBe('a7cde1ef4a93ff6f9b8ba5c2b2d4fe21');
    } finally {
      setLogFile(null);
    }
  });

  it('upgrades a plain file to encrypted when a cipher appears, and refuses sealed values without one', () => {
    const file = join(dir, 'c.json');
    createSecretStore({ file }).set('oss.access-key-secret', 'plain-secret-value');
    const sealed = createSecretStore({ file, cipher: fakeSafeStorage });
    expect(readFileSync(file, 'utf8')).not.toContain('plain-secret-value');
    expect(sealed.get('oss.access-key-secret')).toBe('plain-secret-value');
    const noCipher = createSecretStore({ file });
    expect(noCipher.locked).toBe(true);
    expect(noCipher.get('oss.access-key-secret')).toBeNull();
    expect(noCipher.has('oss.access-key-secret')).toBe(true);
    expect(() => noCipher.set('oss.access-key-secret', 'plaintext')).toThrow(/sealed/);
    expect(readFileSync(file, 'utf8')).not.toContain('plaintext');
    expect(createSecretStore({ file, cipher: fakeSafeStorage }).get('oss.access-key-secret')).toBe('plain-secret-value');
  });

  it('rejects bad names and empty values, survives a corrupted entry, deletes', () => {
    const file = join(dir, 'd.json');
    const s = createSecretStore({ file, cipher: fakeSafeStorage });
    expect(() => s.set('../etc/passwd', 'x')).toThrow();
    expect(() => s.set('ok-name', '')).toThrow();
    s.set('ok-name', 'v');
    s.delete('ok-name');
    expect(s.has('ok-name')).toBe(false);
    const broken = createSecretStore({ file, cipher: { encrypt: fakeSafeStorage.encrypt, decrypt: () => { throw new Error('keychain locked'); } } });
    broken.set('x', 'y');
    expect(broken.get('x')).toBeNull();
    expect(s.names()).toEqual([]);
  });

  it('keeps a damaged file aside and starts empty instead of stopping the kiosk', () => {
    const sub = join(dir, 'damaged');
    mkdirSync(sub);
    const file = join(sub, 'secrets.json');
    writeFileSync(file, '{not json');
    const s = createSecretStore({ file });
    expect(s.get('a')).toBeNull();
    expect(readdirSync(sub).some((f) => f.startsWith('secrets.json.bad-'))).toBe(true);
    s.set('a', 'b');
    expect(createSecretStore({ file }).get('a')).toBe('b');
  });
});
