// Writes that survive a power cut: write to a temp file in the same directory, fsync, rename.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A fault the tests and the fault soak inject (ENOSPC, EIO…): asked before every write with the
 * target path; an error it returns is thrown as the disk would. Never set in production.
 */
export type WriteFault = (path: string) => NodeJS.ErrnoException | null;
let writeFault: WriteFault | null = null;

export function setWriteFault(fault: WriteFault | null): void {
  writeFault = fault;
}

/** An error shaped like the one node:fs throws for a full disk. */
export function enospc(path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOSPC: no space left on device, write '${path}'`);
  e.code = 'ENOSPC';
  e.errno = -28;
  e.syscall = 'write';
  e.path = path;
  return e;
}

export function writeFileAtomic(path: string, data: Buffer | string): void {
  const fault = writeFault?.(path);
  if (fault) throw fault;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // fsync the directory so the rename itself is durable.
  try {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  }
}
