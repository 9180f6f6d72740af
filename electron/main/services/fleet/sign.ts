// Signatures of what kiosks and the operator put on OSS. Two schemes, each for its direction:
//
// * Kiosk → fleet (heartbeats, daily summaries, backups' manifests): HMAC-SHA256 with a per-kiosk
//   key, kioskKey = HMAC-SHA256(fleetMasterKey, "kiosk:" + kioskId). The operator's report holds
//   the master key and derives every kiosk's key; a kiosk holds only its own. So a kiosk whose disk
//   is read (they stand in malls) can sign only its own reports, never another kiosk's, and the
//   kiosk needs no key pair management. HMAC is also what the fake and real OSS creds already use.
// * Operator → kiosks (remote settings): Ed25519. Every kiosk verifies, so every kiosk would hold an
//   HMAC key that could also *sign*: one stolen kiosk could then push prices to the whole fleet. With
//   Ed25519 the kiosks hold only the public key; the private key stays on the operator's laptop.
//
// Both sign the canonical JSON of the payload (keys sorted, no whitespace) so a signature does not
// depend on how a JSON library orders or spaces fields.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, timingSafeEqual, verify as edVerify, type KeyObject } from 'node:crypto';

/** JSON with object keys sorted at every level; undefined fields dropped like JSON.stringify does. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function deriveKioskKey(masterKey: string, kioskId: string): string {
  return createHmac('sha256', masterKey).update(`kiosk:${kioskId}`).digest('hex');
}

export interface HmacEnvelope<T> {
  payload: T;
  sig: { alg: 'HMAC-SHA256'; kioskId: string; value: string };
}

export interface Ed25519Envelope<T> {
  payload: T;
  sig: { alg: 'Ed25519'; keyId: string; value: string };
}

export function signKioskDoc<T>(payload: T, kioskId: string, kioskKey: string): HmacEnvelope<T> {
  const value = createHmac('sha256', kioskKey).update(canonicalJson(payload)).digest('base64');
  return { payload, sig: { alg: 'HMAC-SHA256', kioskId, value } };
}

/** Verifies with the key derived from the master key for the kiosk the envelope names. */
export function verifyKioskDoc(env: unknown, masterKey: string, expectKioskId?: string): { ok: true; payload: unknown; kioskId: string } | { ok: false; reason: string } {
  const e = env as Partial<HmacEnvelope<unknown>> | null;
  if (!e || typeof e !== 'object' || !e.sig || e.sig.alg !== 'HMAC-SHA256' || typeof e.sig.value !== 'string' || typeof e.sig.kioskId !== 'string') {
    return { ok: false, reason: 'not a signed kiosk document' };
  }
  if (expectKioskId !== undefined && e.sig.kioskId !== expectKioskId) return { ok: false, reason: `signed for ${e.sig.kioskId}, found under ${expectKioskId}` };
  const want = createHmac('sha256', deriveKioskKey(masterKey, e.sig.kioskId)).update(canonicalJson(e.payload)).digest();
  const got = Buffer.from(e.sig.value, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, payload: e.payload, kioskId: e.sig.kioskId };
}

export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A short id of a public key (first 16 hex of the SHA-256 of its DER), so kiosks can say which key signed. */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHmac('sha256', 'key-id').update(der).digest('hex').slice(0, 16);
}

export function signOperatorDoc<T>(payload: T, privateKeyPem: string): Ed25519Envelope<T> {
  const key: KeyObject = createPrivateKey(privateKeyPem);
  const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  const value = edSign(null, Buffer.from(canonicalJson(payload)), key).toString('base64');
  return { payload, sig: { alg: 'Ed25519', keyId: keyIdOf(publicPem), value } };
}

export function verifyOperatorDoc(env: unknown, publicKeyPem: string): { ok: true; payload: unknown } | { ok: false; reason: string } {
  const e = env as Partial<Ed25519Envelope<unknown>> | null;
  if (!e || typeof e !== 'object' || !e.sig || e.sig.alg !== 'Ed25519' || typeof e.sig.value !== 'string') return { ok: false, reason: 'not an Ed25519-signed document' };
  let ok = false;
  try {
    ok = edVerify(null, Buffer.from(canonicalJson(e.payload)), createPublicKey(publicKeyPem), Buffer.from(e.sig.value, 'base64'));
  } catch {
    ok = false;
  }
  return ok ? { ok: true, payload: e.payload } : { ok: false, reason: 'signature does not match the fleet public key' };
}
