// Greeting cards (贺卡): a paying family picks a template and types a message on their phone's
// download page; the kiosk draws the card (render.ts), keeps it with the order's results (deleted
// with them by retention) and serves it on its own shareable page (page.ts). Only paid orders:
// the free take-away is the watermarked picture, and a card from it would carry the watermark too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_TEMPLATES, type CardDraft } from '../../../shared/cards';
import type { CardInfo } from '../../../shared/phoneApi';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { OrdersRepo } from '../orders/repo';
import { tx, type Db } from '../store/db';
import { cardPageHtml } from './page';
import { renderCard } from './render';
import { CardStore, type CardRow } from './store';

const log = logger('cards');

/** Order states in which the picture is (being) delivered and a card can be made from it. */
const CARD_STATES = new Set(['delivering', 'delivered']);

export interface CardServiceDeps {
  db: Db;
  repo: OrdersRepo;
  /** results/<orderId>/ holds the card next to the delivered picture. */
  resultsDir: string;
  studio?: string;
}

export interface CardFiles {
  row: CardRow;
  card: string;
  thumb: string;
}

export class CardService {
  readonly store: CardStore;
  constructor(private readonly deps: CardServiceDeps) {
    this.store = new CardStore(deps.db);
  }

  private finalPhoto(orderId: string): string | null {
    const o = this.deps.repo.order(orderId);
    if (!o || !CARD_STATES.has(o.state) || !(o.amount_fen && o.amount_fen > 0)) return null;
    const a = o.final_asset_id ? this.deps.repo.asset(o.final_asset_id) : undefined;
    return a && !a.deleted_at && existsSync(a.path) ? a.path : null;
  }

  /** Whether this order's family can make a card now (paid, the picture ready). */
  allowed(orderId: string): boolean {
    return this.finalPhoto(orderId) !== null;
  }

  private paths(orderId: string): { card: string; thumb: string } {
    const dir = join(this.deps.resultsDir, orderId);
    return { card: join(dir, 'card.jpg'), thumb: join(dir, 'card-thumb.jpg') };
  }

  /** Draws and keeps the card; the same link shows the new version after an edit. */
  async save(orderId: string, draft: CardDraft): Promise<CardRow> {
    const photo = this.finalPhoto(orderId);
    if (!photo) throw new KioskFailure('CARD_NOT_AVAILABLE', '贺卡随付费套餐提供，照片准备好后即可制作');
    const images = await renderCard(readFileSync(photo), draft.template, draft.message, this.deps.studio);
    const p = this.paths(orderId);
    writeFileAtomic(p.card, images.card);
    writeFileAtomic(p.thumb, images.thumb);
    const row = tx(this.deps.db, () => {
      // Registered once as the order's assets, so retention deletes them with the other results.
      const kinds = new Set(this.deps.repo.assetsOf(orderId).map((a) => a.kind));
      if (!kinds.has('card')) this.deps.repo.addAsset(orderId, 'card', p.card, 'image/jpeg');
      if (!kinds.has('card_thumb')) this.deps.repo.addAsset(orderId, 'card_thumb', p.thumb, 'image/jpeg');
      return this.store.save(orderId, draft.template, draft.message);
    });
    log.info('card.saved', { orderId, template: draft.template, version: row.version });
    return row;
  }

  /**
   * The card behind a card-page token while the order's download link lives (the card is shared
   * for as long as the pictures are kept, not longer); null otherwise.
   */
  files(token: string): CardFiles | null {
    const row = this.store.byToken(token);
    if (!row) return null;
    const dl = this.deps.repo.tokenFor(row.order_id, 'download');
    if (!dl || new Date(dl.expires_at) <= new Date()) return null;
    const p = this.paths(row.order_id);
    return existsSync(p.card) && existsSync(p.thumb) ? { row, ...p } : null;
  }

  info(row: CardRow, baseUrl: string): CardInfo {
    const page = `${baseUrl}/p/card/${row.token}`;
    return { template: row.template, message: row.message, pageUrl: page, imageUrl: `${page}/card.jpg?v=${row.version}` };
  }

  pageHtml(row: CardRow, baseUrl: string): string {
    const page = `${baseUrl}/p/card/${row.token}`;
    return cardPageHtml({
      pageUrl: page,
      imageUrl: `${page}/card.jpg?v=${row.version}`,
      thumbUrl: `${page}/thumb.jpg?v=${row.version}`,
      message: row.message,
      templateName: CARD_TEMPLATES.find((t) => t.id === row.template)?.zh ?? '',
      studio: this.deps.studio,
    });
  }
}
