// The OSS share as delivery uses it: every upload goes through the persistent upload queue, so a
// result reaches OSS eventually even across network loss and restarts, while callers keep the plain
// ShareStore interface. put() waits a little for the upload and otherwise reports it as pending
// (retryable); the queue keeps trying in the background either way.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../infra/files';
import { logger } from '../../../infra/log';
import type { DownloadPageInfo, ShareStore } from '../types';
import { createUploadQueue, ossUploadFn, type UploadQueue } from '../uploadQueue';
import type { OssConfig } from './config';
import sharp from 'sharp';
import { THUMB } from '../../cards/render';
import { ossCardPageHtml } from './cardPage';
import { ossDownloadPageHtml } from './downloadPage';
import { createOssShare, OssShareError, type OssShare, type OssShareDeps } from './ossShare';

const log = logger('share.oss.queued');

export interface QueuedOssShare extends ShareStore {
  readonly name: 'oss';
  readonly oss: OssShare;
  readonly queue: UploadQueue;
  /**
   * Queues a result upload and waits up to `waitMs` for it. Resolves once uploaded; rejects with
   * OssShareError('UPLOAD_PENDING', retryable) if it is not done yet (the queue keeps retrying), or
   * with the permanent failure.
   */
  put(key: string, filePath: string, contentType: string): Promise<void>;
  /** Public URL of a result; known before the upload finishes (the page waits for it). */
  url(key: string, ttlSec: number): Promise<string>;
  /** Drops pending uploads and deletes the objects (also ones that finish uploading afterwards). */
  remove(keys: string[]): Promise<void>;
  /**
   * Writes and queues (first in line) the static download page for `folder` (files `${folder}/photo.jpg`,
   * optional `${folder}/living.mp4`) and returns its URL: the QR target, valid at once.
   */
  publishDownloadPage(folder: string, opts: DownloadPageInfo): Promise<string>;
  /** Queues an original (first in line) and waits for it: Jimeng needs it before generating. */
  putOriginal(key: string, filePath: string, contentType: string): Promise<void>;
  signedGetUrl(key: string, ttlSec: number): Promise<string>;
  removeOriginals(keys: string[]): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export interface QueuedOssShareOptions extends OssShareDeps {
  /** Queue state, generated link secret and the page files live here (the data dir). */
  stateDir: string;
  /** How long put() waits for the upload before answering UPLOAD_PENDING. */
  waitMs?: number;
  /** How long putOriginal() waits (the AI provider needs the URL). */
  originalWaitMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Each upload attempt's outcome (fleet success rate of the upload provider). */
  onAttempt?: (ok: boolean, code: string | null) => void;
}

export function createQueuedOssShare(config: OssConfig, opts: QueuedOssShareOptions): QueuedOssShare {
  const oss = createOssShare(config, opts);
  const waitMs = opts.waitMs ?? 15_000;
  const originalWaitMs = opts.originalWaitMs ?? 60_000;
  const queueKey = (kind: 'result' | 'original', key: string): string => `${kind}:${key}`;

  const queue = createUploadQueue({
    stateFile: join(opts.stateDir, 'oss-uploads.json'),
    baseDelayMs: opts.baseDelayMs,
    maxDelayMs: opts.maxDelayMs,
    onAttempt: opts.onAttempt ? (_t, ok, code) => opts.onAttempt!(ok, code) : undefined,
    // Queue keys carry the kind so a result and an original may share a caller key.
    upload: (t) => ossUploadFn(oss)({ ...t, key: t.key.slice(t.key.indexOf(':') + 1) }),
    onForgottenDone: (t) => {
      const key = t.key.slice(t.key.indexOf(':') + 1);
      const del = t.kind === 'original' ? oss.removeOriginals([key]) : oss.remove([key]);
      del.catch((e: unknown) => log.error('orphan.delete_failed', { kind: t.kind, error: e }));
    },
  });

  const pageFile = (folder: string, suffix = '.html'): string => join(opts.stateDir, 'oss-pages', `${folder.replace(/[^A-Za-z0-9_-]/g, '_')}${suffix}`);
  const enqueueResult = (key: string, filePath: string, contentType: string, priority: number) =>
    queue.enqueue({ key: queueKey('result', key), filePath, contentType, kind: 'result', priority });

  /** The greeting card page and its preview thumbnail (a square crop of the picture, 0600 like it). */
  async function publishCard(folder: string, photoPath: string, studio: string | undefined): Promise<void> {
    const thumbFile = pageFile(folder, '.thumb.jpg');
    writeFileAtomic(thumbFile, await sharp(photoPath).rotate().resize(THUMB, THUMB, { fit: 'cover', position: 'attention' }).jpeg({ quality: 85 }).toBuffer());
    const html = ossCardPageHtml({ thumbUrl: await oss.url(`${folder}/thumb.jpg`, 0), pageUrl: await oss.url(`${folder}/card.html`, 0), studio });
    const cardFile = pageFile(folder, '.card.html');
    writeFileAtomic(cardFile, html);
    enqueueResult(`${folder}/thumb.jpg`, thumbFile, 'image/jpeg', 1);
    enqueueResult(`${folder}/card.html`, cardFile, 'text/html; charset=utf-8', 1);
  }

  async function enqueueAndWait(kind: 'result' | 'original', key: string, filePath: string, contentType: string, priority: number, wait: number): Promise<void> {
    const qk = queueKey(kind, key);
    queue.enqueue({ key: qk, filePath, contentType, kind, priority });
    const state = await queue.waitFor(qk, wait);
    if (state === 'done') return;
    const rec = queue.get(qk);
    if (state === 'failed') throw new OssShareError('UPLOAD_FAILED', `upload failed: ${rec?.lastError ?? 'unknown'}`, null, false);
    throw new OssShareError('UPLOAD_PENDING', `upload still pending after ${wait} ms (${rec?.attempts ?? 0} attempts)`, null, true);
  }

  return {
    name: 'oss',
    oss,
    queue,
    put: (key, filePath, contentType) => enqueueAndWait('result', key, filePath, contentType, key.endsWith('.html') ? 0 : 1, waitMs),
    url: (key, ttlSec) => oss.url(key, ttlSec),
    async remove(keys) {
      queue.forget(keys.map((k) => queueKey('result', k)));
      for (const k of keys) {
        const folder = k.slice(0, k.lastIndexOf('/'));
        const local = { 'index.html': '.html', 'card.html': '.card.html', 'thumb.jpg': '.thumb.jpg' }[k.slice(folder.length + 1)];
        if (local) rmSync(pageFile(folder, local), { force: true });
      }
      await oss.remove(keys);
    },
    async publishDownloadPage(folder, o) {
      const file = pageFile(folder);
      // A card that cannot be made (unreadable picture) costs the card tab, never the download page.
      const card = o.cardPhotoPath
        ? await publishCard(folder, o.cardPhotoPath, o.studio).then(
            () => true,
            (e: unknown) => (log.warn('card.publish_failed', { error: e as Error }), false),
          )
        : false;
      const html = ossDownloadPageHtml({
        blessing: o.blessing,
        expiresAt: o.expiresAt,
        livingName: o.living ? 'living.mp4' : null,
        orderCode: o.orderCode,
        afterSalesContact: o.afterSalesContact,
        studioName: o.studio,
        cardName: card ? 'card.html' : null,
      });
      writeFileAtomic(file, html);
      enqueueResult(`${folder}/index.html`, file, 'text/html; charset=utf-8', 0);
      return oss.url(`${folder}/index.html`, 0);
    },
    putOriginal: (key, filePath, contentType) => enqueueAndWait('original', key, filePath, contentType, 0, originalWaitMs),
    signedGetUrl: (key, ttlSec) => oss.signedGetUrl(key, ttlSec),
    async removeOriginals(keys) {
      queue.forget(keys.map((k) => queueKey('original', k)));
      await oss.removeOriginals(keys);
    },
    start: () => queue.start(),
    stop: () => queue.stop(),
  };
}
