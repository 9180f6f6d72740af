// The `cards` table: one greeting card per order (template, the family's message, and the card
// page's own unguessable token, so the shareable link gives the card only, never the download).
import { randomBytes } from 'node:crypto';
import type { CardTemplateId } from '../../../shared/cards';
import type { Db } from '../store/db';

export interface CardRow {
  order_id: string;
  token: string;
  template: CardTemplateId;
  message: string;
  /** Bumped on every save: image URLs carry it, so a re-edited card is never served from a cache. */
  version: number;
  created_at: string;
  updated_at: string;
}

export class CardStore {
  constructor(private readonly db: Db) {}

  ofOrder(orderId: string): CardRow | undefined {
    return this.db.prepare('SELECT * FROM cards WHERE order_id = ?').get(orderId) as CardRow | undefined;
  }

  byToken(token: string): CardRow | undefined {
    return this.db.prepare('SELECT * FROM cards WHERE token = ?').get(token) as CardRow | undefined;
  }

  /** Creates the order's card or replaces its template and message (the link stays the same). */
  save(orderId: string, template: CardTemplateId, message: string, now = new Date().toISOString()): CardRow {
    this.db
      .prepare(
        `INSERT INTO cards (order_id, token, template, message, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT(order_id) DO UPDATE SET template = excluded.template, message = excluded.message, version = version + 1, updated_at = excluded.updated_at`,
      )
      .run(orderId, randomBytes(18).toString('base64url'), template, message, now, now);
    return this.ofOrder(orderId)!;
  }

  /** Retention: the message is the family's own words, gone with the pictures. */
  remove(orderId: string): void {
    this.db.prepare('DELETE FROM cards WHERE order_id = ?').run(orderId);
  }
}
