// A throw-away stand-in for the browser host, to look at the renderer without the main process:
// serves dist/renderer, answers the contract calls from an in-memory order, pushes events over
// /events and serves the phone pages' /p/api. Not the product: the real host is electron/browser-host.
//   node renderer/dev/fake-host.mjs [port]   (after vite build --config renderer/vite.config.ts)
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { WebSocketServer } from 'ws';
import { fileURLToPath } from 'node:url';

const root = resolve(new URL('../..', import.meta.url).pathname);
const dist = join(root, 'dist/renderer');
const readJson = (f) => JSON.parse(readFileSync(join(root, 'assets', f), 'utf8'));
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.jpg': 'image/jpeg', '.json': 'application/json' };

const printerReady = process.env.FAKE_PRINTER !== 'down';
const catalog = {
  products: readJson('products.json'),
  styles: readJson('styles.json'),
  packages: readJson('packages.json'),
  settings: { idleTimeoutSec: Number(process.env.FAKE_IDLE_SEC ?? 90), paymentTimeoutSec: 300, regenerationsAllowed: 1, printerReady, printerMessage: printerReady ? undefined : '打印机缺纸，请联系工作人员', host: 'browser', version: 'fake' },
};

const face = readFileSync(fileURLToPath(new URL('../../fixtures/astronaut.png', import.meta.url)));
const media = new Map(); // assetId → { mime, data }
const tints = [[255, 200, 120], [200, 40, 40], [250, 230, 180], [120, 60, 30]];
async function variantImage(i) {
  return sharp(face).resize(1200, 800, { fit: 'cover' }).tint({ r: tints[i][0], g: tints[i][1], b: tints[i][2] }).jpeg().toBuffer();
}
const id = () => randomBytes(12).toString('hex');
const now = () => new Date().toISOString();
const qr = (url) => QRCode.toString(url, { type: 'svg', margin: 1 });

let order = null;
const tokens = new Map(); // token → { kind, orderId }
let base = '';
const clients = new Set();
function emit(event, payload) {
  const msg = JSON.stringify({ event, payload });
  for (const c of clients) if (c.readyState === 1) c.send(msg);
}
function changed() {
  order.updatedAt = now();
  emit('order:changed', order);
  return order;
}
const ok = (value) => ({ ok: true, value });
const fail = (code, message, retryable = false) => ({ ok: false, error: { code, message, retryable } });

function newOrder() {
  return {
    id: id(), state: 'created', productId: null, styleId: null, outfitId: null, photos: [], variants: [],
    generation: { status: 'idle', regenerationsLeft: 1 }, pickedIndex: null, packageId: null, amountFen: null,
    payment: null, delivery: null, notice: null, updatedAt: now(),
  };
}

function addPhoto(source, bytes) {
  const assetId = id();
  media.set(assetId, { mime: 'image/png', data: face });
  const good = bytes > 2000;
  const photo = {
    id: id(), source, assetId, ok: good, faces: good ? [{ x: 400, y: 200, w: 300, h: 300, score: 0.95 }] : [],
    reasons: good ? [] : [{ code: 'NO_FACE', message: '没有检测到人脸，请正对镜头' }], width: 1920, height: 1080,
  };
  order.photos.push(photo);
  if (order.photos.some((p) => p.ok)) order.state = 'checked';
  return photo;
}

function generate() {
  order.state = 'generating';
  order.generation = { ...order.generation, status: 'running' };
  order.variants = [0, 1, 2, 3].map((index) => ({ index, status: 'pending' }));
  const mine = order.id;
  [0, 1, 2, 3].forEach((i) =>
    setTimeout(async () => {
      if (order?.id !== mine) return;
      const assetId = id();
      media.set(assetId, { mime: 'image/jpeg', data: await variantImage(i) });
      order.variants[i] = { index: i, status: 'ready', assetId };
      if (order.variants.every((v) => v.status !== 'pending')) {
        order.generation = { ...order.generation, status: 'done' };
        order.state = 'generated';
      }
      changed();
    }, 900 + i * 700),
  );
}

async function deliver() {
  const pkg = catalog.packages.find((p) => p.id === order.packageId);
  order.state = 'delivering';
  const token = id() + id();
  tokens.set(token, { kind: 'download', orderId: order.id });
  const url = `${base}/p/download/${token}`;
  order.delivery = {
    print: pkg?.print ? { status: 'queued', progress: 0, copies: pkg.copies } : null,
    download: pkg?.download ? { url, qrSvg: await qr(url), expiresAt: new Date(Date.now() + 30 * 864e5).toISOString() } : null,
    motion: pkg?.motion ? { status: 'pending' } : null,
  };
  changed();
  const mine = order.id;
  let p = 0;
  const timer = setInterval(() => {
    if (order?.id !== mine) return clearInterval(timer);
    p += 0.25;
    if (order.delivery.print) order.delivery.print = { ...order.delivery.print, status: p >= 1 ? 'done' : 'printing', progress: Math.min(1, p) };
    if (p >= 1) {
      order.state = 'delivered';
      if (order.delivery.motion) order.delivery.motion = { status: 'ready' };
      clearInterval(timer);
    }
    changed();
  }, 1500);
}

const calls = {
  'app:get-catalog': () => ok(catalog),
  'session:accept-consent': () => ok((order = newOrder())),
  'order:get': ({ orderId }) => (order?.id === orderId ? ok(order) : fail('NOT_FOUND', '订单不存在')),
  'order:choose-product': ({ productId, styleId, outfitId }) => {
    Object.assign(order, { productId, styleId, outfitId });
    return ok(changed());
  },
  'capture:add-photo': async ({ image }) => {
    await new Promise((r) => setTimeout(r, 400)); // a real check takes a moment
    addPhoto('camera', image.length);
    return ok(changed());
  },
  'capture:remove-photo': ({ photoId }) => {
    order.photos = order.photos.filter((p) => p.id !== photoId);
    return ok(changed());
  },
  'capture:guide-frame': () => ok({ faces: 1, hint: 'OK', message: '很好，保持住' }),
  'capture:phone-upload-link': async () => {
    const token = id() + id();
    tokens.set(token, { kind: 'upload', orderId: order.id });
    const url = `${base}/p/upload/${token}`;
    return ok({ url, qrSvg: await qr(url), expiresAt: new Date(Date.now() + 15 * 6e4).toISOString() });
  },
  'generate:start': () => {
    generate();
    return ok(changed());
  },
  'generate:regenerate': () => {
    order.generation.regenerationsLeft -= 1;
    generate();
    return ok(changed());
  },
  'order:pick-variant': ({ index }) => {
    Object.assign(order, { pickedIndex: index, state: 'picked' });
    return ok(changed());
  },
  'payment:start': async ({ packageId }) => {
    const pkg = catalog.packages.find((p) => p.id === packageId);
    Object.assign(order, { packageId, amountFen: pkg.priceFen, state: 'awaiting_payment' });
    if (pkg.priceFen === 0) {
      order.payment = { free: true };
      order.state = 'paid';
      setTimeout(() => void deliver(), 500);
      return ok(changed());
    }
    const token = id() + id();
    tokens.set(token, { kind: 'pay', orderId: order.id });
    const codeUrl = `${base}/p/pay/${token}`;
    order.payment = { free: false, codeUrl, qrSvg: await qr(codeUrl), expiresAt: new Date(Date.now() + 300_000).toISOString() };
    return ok(changed());
  },
  'payment:cancel': () => {
    order.state = 'payment_closed';
    return ok(changed());
  },
  'order:abandon': () => {
    order.state = 'abandoned';
    return ok(changed());
  },
};

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}
function send(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}
function file(res, dir, rel) {
  const f = resolve(dir, '.' + rel);
  if (!f.startsWith(resolve(dir) + sep) || !existsSync(f) || !statSync(f).isFile()) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': MIME[extname(f)] ?? 'application/octet-stream' }).end(readFileSync(f));
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  let m;
  if ((m = /^\/api\/(.+)$/.exec(path))) {
    const fn = calls[decodeURIComponent(m[1])];
    if (!fn) return send(res, 404, fail('UNKNOWN_CALL', '未知调用'));
    const input = JSON.parse((await body(req)).toString() || '{}');
    if (!order && !['app:get-catalog', 'session:accept-consent', 'capture:guide-frame'].includes(m[1])) return send(res, 200, fail('NO_ORDER', '请重新开始'));
    return send(res, 200, await fn(input));
  }
  if ((m = /^\/media\/(.+)$/.exec(path))) {
    const a = media.get(decodeURIComponent(m[1]));
    return a ? res.writeHead(200, { 'content-type': a.mime }).end(a.data) : res.writeHead(404).end();
  }
  if ((m = /^\/p\/api\/(pay|download|upload)\/([\w-]+)(\/confirm)?$/.exec(path))) {
    const t = tokens.get(m[2]);
    if (!t || t.kind !== m[1] || t.orderId !== order?.id) return send(res, 410, fail('TOKEN_EXPIRED', '链接已过期'));
    if (m[1] === 'pay') {
      if (m[3] && req.method === 'POST' && order.state === 'awaiting_payment') {
        order.state = 'paid';
        changed();
        setTimeout(() => void deliver(), 800);
      }
      const state = order.state === 'awaiting_payment' ? 'NOTPAY' : order.state === 'payment_closed' ? 'CLOSED' : 'SUCCESS';
      return send(res, 200, ok({ amountFen: order.amountFen, description: '团圆照相馆 新春全家福', state }));
    }
    if (m[1] === 'download') {
      const picked = order.variants.find((v) => v.index === order.pickedIndex);
      const ready = order.state === 'delivered';
      return send(res, 200, ok({ ready, photoUrl: ready ? `/media/${picked.assetId}` : undefined, blessing: '阖家团圆 · 马年大吉', expiresAt: order.delivery?.download?.expiresAt ?? now() }));
    }
    if (req.method === 'POST') {
      const bytes = await body(req);
      const photo = addPhoto('phone', bytes.length);
      emit('capture:photo-uploaded', { orderId: order.id, photo });
      changed();
      return send(res, 200, ok({ ok: photo.ok, reasons: photo.reasons }));
    }
    return send(res, 200, ok({ expiresAt: new Date(Date.now() + 15 * 6e4).toISOString(), name: undefined }));
  }
  if (/^\/p\/(pay|download|upload)\//.test(path)) return file(res, dist, '/phone.html');
  if (path === '/') return file(res, dist, '/index.html');
  return file(res, dist, path);
});
const wss = new WebSocketServer({ server, path: '/events' });
wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  console.log(`FAKE_HOST_URL=${base}/`);
});
