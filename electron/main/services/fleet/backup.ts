// Nightly backup of the kiosk's database to OSS: a consistent online copy (better-sqlite3's
// backup() API: SQLite's own backup, safe while orders are being written), gzip, AES-256-GCM with
// the kiosk's backup key, one object per night under fleet/<kioskId>/backups/, the newest N kept.
// The backup key = HMAC-SHA256(fleetMasterKey, "backup:" + kioskId): stored in the kiosk's secret
// store, and derivable by the operator on a new machine from the master key alone (restore.ts).
//
// File format (all in one object): "TYBK1\n" + u32 header length + header JSON + 12-byte IV +
// 16-byte GCM tag + ciphertext. The header (kiosk, time, schema version, SHA-256 of the plain
// database) is the GCM additional data, so it cannot be altered without the tag failing.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Db } from '../store/db';
import type { FleetOss } from './objects';

const MAGIC = Buffer.from('TYBK1\n');

export interface BackupHeader {
  v: 1;
  kioskId: string;
  createdAt: string;
  schemaVersion: number;
  sha256: string;
  bytes: number;
}

export function deriveBackupKey(masterKey: string, kioskId: string): string {
  return createHmac('sha256', masterKey).update(`backup:${kioskId}`).digest('hex');
}

function keyBytes(hex: string): Buffer {
  const k = Buffer.from(hex, 'hex');
  if (k.length !== 32) throw new Error('the backup key must be 64 hex characters (32 bytes)');
  return k;
}

export function encryptBackup(plain: Buffer, header: BackupHeader, keyHex: string): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyBytes(keyHex), iv);
  c.setAAD(h);
  const body = Buffer.concat([c.update(gzipSync(plain)), c.final()]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([MAGIC, len, h, iv, c.getAuthTag(), body]);
}

export function decryptBackup(blob: Buffer, keyHex: string): { header: BackupHeader; plain: Buffer } {
  if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a kiosk backup (bad magic)');
  const hl = blob.readUInt32BE(MAGIC.length);
  const hStart = MAGIC.length + 4;
  const h = blob.subarray(hStart, hStart + hl);
  const iv = blob.subarray(hStart + hl, hStart + hl + 12);
  const tag = blob.subarray(hStart + hl + 12, hStart + hl + 28);
  const d = createDecipheriv('aes-256-gcm', keyBytes(keyHex), iv);
  d.setAAD(h);
  d.setAuthTag(tag);
  let zipped: Buffer;
  try {
    zipped = Buffer.concat([d.update(blob.subarray(hStart + hl + 28)), d.final()]);
  } catch {
    throw new Error('backup does not decrypt: wrong key, or the file was altered');
  }
  const header = JSON.parse(h.toString('utf8')) as BackupHeader;
  const plain = gunzipSync(zipped);
  if (createHash('sha256').update(plain).digest('hex') !== header.sha256) throw new Error('backup checksum mismatch');
  return { header, plain };
}

export const backupPrefix = (prefix: string, kioskId: string) => `${prefix}${kioskId}/backups/`;

/** One backup now: copy, encrypt, upload, then delete all but the newest `keep`. Returns the object key. */
export async function runBackup(o: { db: Db; kioskId: string; keyHex: string; oss: FleetOss; prefix: string; keep: number; tmpDir: string; now?: () => number }): Promise<{ key: string; bytes: number; deleted: string[] }> {
  const now = o.now ?? Date.now;
  mkdirSync(o.tmpDir, { recursive: true });
  const tmp = join(o.tmpDir, `backup-${process.pid}-${now()}.sqlite`);
  try {
    await o.db.backup(tmp);
    const plain = readFileSync(tmp);
    const at = new Date(now());
    const header: BackupHeader = {
      v: 1,
      kioskId: o.kioskId,
      createdAt: at.toISOString(),
      schemaVersion: o.db.pragma('user_version', { simple: true }) as number,
      sha256: createHash('sha256').update(plain).digest('hex'),
      bytes: plain.length,
    };
    const blob = encryptBackup(plain, header, o.keyHex);
    const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const key = `${backupPrefix(o.prefix, o.kioskId)}${stamp}.sqlite.gz.enc`;
    await o.oss.putBuffer(key, blob, 'application/octet-stream');
    // Only after the new one is safely up: the oldest beyond `keep` go.
    const all = (await o.oss.list(backupPrefix(o.prefix, o.kioskId))).objects.map((x) => x.key).filter((k) => k.endsWith('.sqlite.gz.enc')).sort();
    const deleted = all.slice(0, Math.max(0, all.length - o.keep));
    if (deleted.length) await o.oss.remove(deleted);
    return { key, bytes: blob.length, deleted };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Restores a backup object into `targetDb` (a new machine's data directory). Refuses to overwrite an
 * existing database unless `force`; checks the copy with SQLite's integrity_check before moving it in.
 */
export async function restoreBackup(o: { oss: FleetOss; key: string; keyHex: string; targetDb: string; force?: boolean }): Promise<BackupHeader> {
  const blob = await o.oss.get(o.key);
  if (!blob) throw new Error(`no such backup: ${o.key}`);
  const { header, plain } = decryptBackup(blob, o.keyHex);
  const tmp = `${o.targetDb}.restore-${process.pid}`;
  writeFileSync(tmp, plain, { mode: 0o600 });
  try {
    const check = new Database(tmp, { readonly: true });
    const ok = check.pragma('integrity_check', { simple: true });
    check.close();
    if (ok !== 'ok') throw new Error(`restored database fails integrity_check: ${String(ok)}`);
    let exists = false;
    try {
      readFileSync(o.targetDb, { flag: 'r' }).subarray(0, 1);
      exists = true;
    } catch {
      exists = false;
    }
    if (exists && !o.force) throw new Error(`${o.targetDb} exists; pass --force to replace it`);
    for (const ext of ['-wal', '-shm']) rmSync(`${o.targetDb}${ext}`, { force: true });
    const { renameSync } = await import('node:fs');
    renameSync(tmp, o.targetDb);
    return header;
  } finally {
    rmSync(tmp, { force: true });
  }
}
