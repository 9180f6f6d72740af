// Secrets at rest (merchant private key, APIv3 key, cloud keys). The Electron host injects
// safeStorage as the cipher (DPAPI / Keychain / libsecret); the browser host has none, so the file
// is only protected by its 0600 mode, and we say so in the log once. Values never reach the log.
import { chmodSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';

const log = logger('secrets');

export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

export interface SecretStore {
  get(name: string): string | null;
  set(name: string, value: string): void;
  has(name: string): boolean;
  delete(name: string): void;
  names(): string[];
  /** 'encrypted' when a cipher protects values, 'file-permissions' otherwise. */
  readonly protection: 'encrypted' | 'file-permissions';
  /**
   * True when the file holds values sealed by Electron safeStorage and this process has no cipher
   * (e.g. the CLI, or a keychain that is unavailable): get() returns null, set() refuses.
   */
  readonly locked: boolean;
}

interface FileShape {
  version: 1;
  protection: 'encrypted' | 'file-permissions';
  /** name → base64 of the cipher output, or the plain value in file-permissions mode. */
  values: Record<string, string>;
}

/** Where the kiosk keeps its secrets: next to config.json in the data directory. */
export function defaultSecretsFile(dataRoot: string): string {
  return join(dataRoot, 'secrets.json');
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

const empty = (): FileShape => ({ version: 1, protection: 'file-permissions', values: {} });

/**
 * Reads the file. A file that does not parse is kept aside (secrets.json.bad-<time>) and the store
 * starts empty: a damaged file must not stop a kiosk that needs no secrets (simulated payment),
 * and one that does need them reports the missing key by name.
 */
function readFileShape(file: string): FileShape {
  if (!existsSync(file)) return empty();
  let d: Partial<FileShape> | null = null;
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as Partial<FileShape>;
  } catch {
    d = null;
  }
  if (!d || d.version !== 1 || typeof d.values !== 'object' || d.values === null) {
    const aside = `${file}.bad-${Date.now()}`;
    try {
      renameSync(file, aside);
    } catch {
      // cannot move it: it will be overwritten at the next set()
    }
    log.error('secrets_file_unreadable', { file, keptAs: aside });
    return empty();
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.values)) if (typeof v === 'string') values[k] = v;
  return { version: 1, protection: d.protection === 'encrypted' ? 'encrypted' : 'file-permissions', values };
}

export function createSecretStore(opts: { file: string; cipher?: SecretCipher }): SecretStore {
  const { file, cipher } = opts;
  const protection = cipher ? 'encrypted' : 'file-permissions';
  let shape = readFileShape(file);

  // Values sealed by safeStorage cannot be read without it: locked, never handed out as ciphertext
  // and never overwritten by plaintext.
  const locked = shape.protection === 'encrypted' && !cipher && Object.keys(shape.values).length > 0;
  if (locked) log.error('secrets_locked', { file, note: 'sealed by the Electron host; no safeStorage in this process' });
  if (shape.protection === 'file-permissions' && cipher && Object.keys(shape.values).length > 0) {
    // Upgrade in place: a kiosk first run under the browser host, later under Electron.
    const sealed: Record<string, string> = {};
    for (const [k, v] of Object.entries(shape.values)) sealed[k] = cipher.encrypt(v).toString('base64');
    shape = { version: 1, protection: 'encrypted', values: sealed };
    persist();
    log.info('secrets_upgraded_to_encrypted', { count: Object.keys(sealed).length });
  }
  if (!locked) shape.protection = protection;

  if (!cipher && !locked) {
    log.warn('secrets_not_encrypted', {
      file,
      note: 'no OS keystore in this host: secrets are protected by file permissions (0600) only',
    });
    if (existsSync(file)) {
      try {
        if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      } catch {
        // On Windows modes are advisory; nothing more to do here.
      }
    }
  }

  function persist(): void {
    // writeFileAtomic creates the file 0600 before any byte is written.
    writeFileAtomic(file, JSON.stringify(shape, null, 1));
  }

  function checkName(name: string): void {
    if (!NAME_RE.test(name)) throw new SecretStoreError(`invalid secret name: ${JSON.stringify(name.slice(0, 64))}`);
  }

  function checkWritable(): void {
    if (locked) throw new SecretStoreError('the secrets are sealed by the Electron host: change them from the kiosk admin screen');
  }

  return {
    protection: locked ? 'encrypted' : protection,
    locked,
    get(name) {
      const raw = Object.hasOwn(shape.values, name) ? shape.values[name] : undefined;
      if (raw === undefined || locked) return null;
      if (!cipher) return raw;
      try {
        return cipher.decrypt(Buffer.from(raw, 'base64'));
      } catch {
        log.error('secret_undecryptable', { name });
        return null;
      }
    },
    set(name, value) {
      checkWritable();
      checkName(name);
      if (typeof value !== 'string' || value.length === 0) throw new SecretStoreError('a secret value must be a non-empty string');
      shape.values[name] = cipher ? cipher.encrypt(value).toString('base64') : value;
      persist();
      log.info('secret_set', { name });
    },
    has(name) {
      return Object.hasOwn(shape.values, name);
    },
    delete(name) {
      checkWritable();
      if (!Object.hasOwn(shape.values, name)) return;
      delete shape.values[name];
      persist();
      log.info('secret_deleted', { name });
    },
    names() {
      return Object.keys(shape.values).sort();
    },
  };
}
