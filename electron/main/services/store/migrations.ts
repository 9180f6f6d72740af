// Versioned schema migrations, append-only: never edit a shipped entry, add a new one.
// Times are ISO-8601 UTC strings; money is integer fen.

export const migrations: string[] = [
  /* 1: orders and everything hanging off them */ `
  CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'zh',
    product_id TEXT,
    style_id TEXT,
    outfit_id TEXT,
    seed INTEGER NOT NULL,
    generation_status TEXT NOT NULL DEFAULT 'idle',
    generation_message TEXT,
    generation_round INTEGER NOT NULL DEFAULT 0,
    regenerations_used INTEGER NOT NULL DEFAULT 0,
    picked_index INTEGER,
    package_id TEXT,
    amount_fen INTEGER,
    notice TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE INDEX orders_state ON orders(state);

  CREATE TABLE order_transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders(id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    at TEXT NOT NULL
  );
  CREATE INDEX order_transitions_order ON order_transitions(order_id);

  CREATE TABLE assets (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    kind TEXT NOT NULL,            -- original | preview | result | print | motion | livephoto_jpg | livephoto_mov
    path TEXT NOT NULL,
    mime TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE INDEX assets_order ON assets(order_id);

  CREATE TABLE photos (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    source TEXT NOT NULL,          -- camera | phone
    asset_id TEXT NOT NULL REFERENCES assets(id),
    ok INTEGER NOT NULL,
    faces_json TEXT NOT NULL,
    reasons_json TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE INDEX photos_order ON photos(order_id);

  CREATE TABLE variants (
    order_id TEXT NOT NULL REFERENCES orders(id),
    round INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    status TEXT NOT NULL,          -- pending | ready | rejected | failed
    seed INTEGER NOT NULL,
    result_asset_id TEXT,          -- unwatermarked, never served before payment
    preview_asset_id TEXT,         -- watermarked, what the kiosk shows
    PRIMARY KEY (order_id, round, idx)
  );

  CREATE TABLE payments (
    out_trade_no TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    provider TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    state TEXT NOT NULL,           -- creating | open | paid | closing | closed | failed
    code_url TEXT,
    expires_at TEXT NOT NULL,
    transaction_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX payments_order ON payments(order_id);
  CREATE INDEX payments_state ON payments(state);

  CREATE TABLE refunds (
    out_refund_no TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    out_trade_no TEXT NOT NULL REFERENCES payments(out_trade_no),
    amount_fen INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,           -- system | admin
    state TEXT NOT NULL,           -- pending | processing | success | failed
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX refunds_one_per_trade ON refunds(out_trade_no);

  CREATE TABLE deliveries (
    order_id TEXT PRIMARY KEY REFERENCES orders(id),
    result_asset_id TEXT,
    print_wanted INTEGER NOT NULL,
    print_copies INTEGER NOT NULL,
    print_job_key TEXT,
    print_system_job_id TEXT,
    print_status TEXT NOT NULL,    -- none | queued | submitting | printing | done | failed
    print_attempts INTEGER NOT NULL DEFAULT 0,
    print_message TEXT,
    download_wanted INTEGER NOT NULL,
    share_key TEXT,
    share_status TEXT NOT NULL,    -- none | pending | done | failed
    motion_wanted INTEGER NOT NULL,
    motion_status TEXT NOT NULL,   -- none | pending | ready | failed
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE tokens (
    token TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,         -- pay | download | upload
    order_id TEXT NOT NULL REFERENCES orders(id),
    ref TEXT,                      -- e.g. out_trade_no for pay tokens
    expires_at TEXT NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE INDEX tokens_order ON tokens(order_id);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    order_id TEXT,
    details_json TEXT NOT NULL
  );
  `,
  /* 2: the simulated payment provider's own books (the no-account default; survives restarts like a real PSP) */ `
  CREATE TABLE sim_trades (
    out_trade_no TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    amount_fen INTEGER NOT NULL,
    description TEXT NOT NULL,
    attach TEXT NOT NULL,
    state TEXT NOT NULL,           -- NOTPAY | SUCCESS | CLOSED | REFUND
    expires_at TEXT NOT NULL,
    transaction_id TEXT,
    paid_at TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sim_refunds (
    out_refund_no TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL REFERENCES sim_trades(out_trade_no),
    amount_fen INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  /* 3: the OSS download page URL (the QR target when the share is OSS), and photos uploaded for the AI */ `
  ALTER TABLE deliveries ADD COLUMN download_url TEXT;
  CREATE TABLE cloud_originals (
    key TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  );
  `,
  /* 4: a delivery that threw (full disk, …) is retried by the sweeper with back-off, then refunded */ `
  ALTER TABLE deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE deliveries ADD COLUMN retry_at TEXT;
  ALTER TABLE deliveries ADD COLUMN last_error TEXT;
  `,
  /* 5: the sale (issue 15): the family's 微动态 effect, and why no free try was made (the free cap) */ `
  ALTER TABLE orders ADD COLUMN motion_effect TEXT;
  ALTER TABLE orders ADD COLUMN free_blocked TEXT;
  `,
  /* 6: the greeting card a paying family makes on their phone (template, message, its page's own token) */ `
  CREATE TABLE cards (
    order_id TEXT PRIMARY KEY REFERENCES orders(id),
    token TEXT NOT NULL UNIQUE,
    template TEXT NOT NULL,
    message TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  /*
   * 7: deliverables as rows of their own (issue 12.6): one row per thing a paid order delivers
   * (orders/deliverables/kinds.ts names the kinds), instead of a column group per kind. What every
   * deliverable shares moves to the order: the final picture, the phone-share folder, and the
   * delivery run's retry bookkeeping (the sweeper's back-off is per order). Every `deliveries` row
   * is copied, open ones included, so an upgraded kiosk finishes the orders it had in hand; then
   * the old table is dropped so nothing can read a stale copy.
   * `kind` has no CHECK on purpose: SQLite cannot change a CHECK without rebuilding the table, so a
   * new kind would need a migration; the repo's types and the kinds list are the guard instead.
   */ `
  ALTER TABLE orders ADD COLUMN final_asset_id TEXT;
  ALTER TABLE orders ADD COLUMN share_key TEXT;
  ALTER TABLE orders ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE orders ADD COLUMN delivery_retry_at TEXT;
  ALTER TABLE orders ADD COLUMN delivery_error TEXT;

  CREATE TABLE deliverables (
    order_id TEXT NOT NULL REFERENCES orders(id),
    kind TEXT NOT NULL,            -- photo | print | motion (orders/deliverables/kinds.ts)
    status TEXT NOT NULL,          -- pending | working | done | failed
    job_key TEXT,                  -- idempotency key, stored before the side effect (the print job key)
    attempts INTEGER NOT NULL DEFAULT 0,
    quantity INTEGER NOT NULL DEFAULT 1,  -- print copies; later, items of a physical product
    external_ref TEXT,             -- the outside system's id for it (the spooler's job id)
    url TEXT,                      -- where the family fetches it (the OSS download page)
    message TEXT,                  -- what the kiosk screen says about it (Chinese), never customer data
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (order_id, kind)
  );

  UPDATE orders SET
    final_asset_id = (SELECT d.result_asset_id FROM deliveries d WHERE d.order_id = orders.id),
    share_key = (SELECT d.share_key FROM deliveries d WHERE d.order_id = orders.id),
    delivery_attempts = (SELECT d.attempts FROM deliveries d WHERE d.order_id = orders.id),
    delivery_retry_at = (SELECT d.retry_at FROM deliveries d WHERE d.order_id = orders.id),
    delivery_error = (SELECT d.last_error FROM deliveries d WHERE d.order_id = orders.id)
  WHERE id IN (SELECT order_id FROM deliveries);

  INSERT INTO deliverables (order_id, kind, status, job_key, attempts, quantity, external_ref, url, message, created_at, updated_at)
    SELECT order_id, 'photo',
      CASE share_status WHEN 'done' THEN 'done' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
      NULL, 0, 1, NULL, download_url, NULL, created_at, updated_at
    FROM deliveries WHERE download_wanted = 1;
  INSERT INTO deliverables (order_id, kind, status, job_key, attempts, quantity, external_ref, url, message, created_at, updated_at)
    SELECT order_id, 'print',
      CASE print_status WHEN 'done' THEN 'done' WHEN 'failed' THEN 'failed'
        WHEN 'printing' THEN 'working' WHEN 'submitting' THEN 'working' ELSE 'pending' END,
      print_job_key, print_attempts, print_copies, print_system_job_id, NULL, print_message, created_at, updated_at
    FROM deliveries WHERE print_wanted = 1;
  INSERT INTO deliverables (order_id, kind, status, job_key, attempts, quantity, external_ref, url, message, created_at, updated_at)
    SELECT order_id, 'motion',
      CASE motion_status WHEN 'ready' THEN 'done' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
      NULL, 0, 1, NULL, NULL, NULL, created_at, updated_at
    FROM deliveries WHERE motion_wanted = 1;

  DROP TABLE deliveries;
  `,
];
