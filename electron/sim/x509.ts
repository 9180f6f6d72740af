// A minimal DER writer for the payment simulators' X.509 v3 certificates: WeChat Pay's self-signed
// platform certificate (platform-certificate mode), and Alipay's certificate mode — a root CA (RSA,
// self-signed), a second root signed with ECDSA (standing in for Alipay's SM2 root, which
// alipay_root_cert_sn must leave out), and the app / Alipay public-key certificates the RSA root
// issues. node:crypto reads certificates but cannot make them, and shelling out to openssl would
// tie the simulators to the host.
import { createSign, randomBytes, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const int = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const printable = (s: string) => tlv(0x13, Buffer.from(s, 'ascii'));
const bitString = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const ATTR_OID = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const;
/** A distinguished name, least specific first as in the certificate: [['C','CN'], ['O','Ant Financial'], …]. */
export type Dn = [keyof typeof ATTR_OID, string][];

const name = (dn: Dn) => seq(...dn.map(([k, v]) => set(seq(oid(ATTR_OID[k]), k === 'C' ? printable(v) : utf8(v)))));

const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface IssuedCertificate {
  pem: string;
  /** Serial as upper-case hex. */
  serial: string;
}

/** Issues a certificate for `subjectKey`, signed by `issuerKey` (RSA → sha256WithRSA, EC → ecdsa-with-SHA256). */
export function issueCertificate(opts: {
  subject: Dn;
  issuer: Dn;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  notBefore?: Date;
  notAfter?: Date;
  /** Length of the serial in bytes (WeChat Pay's are 20: 40 hex characters in Wechatpay-Serial). */
  serialBytes?: number;
}): IssuedCertificate {
  const serialBytes = randomBytes(opts.serialBytes ?? 16);
  serialBytes[0] = (serialBytes[0]! & 0x7f) | 0x10; // positive, and every byte significant
  const alg = opts.issuerKey.asymmetricKeyType === 'ec' ? ECDSA_SHA256 : SHA256_RSA;
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(serialBytes),
    alg,
    name(opts.issuer),
    seq(utcTime(opts.notBefore ?? new Date(Date.now() - 3600_000)), utcTime(opts.notAfter ?? new Date(Date.now() + 5 * 365 * 86400_000))),
    name(opts.subject),
    opts.subjectKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('SHA256').update(tbs).sign(opts.issuerKey);
  const der = seq(tbs, alg, bitString(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return { pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`, serial: serialBytes.toString('hex').toUpperCase() };
}

/** A self-signed RSA/SHA-256 certificate; serial is the 40-hex upper-case serial WeChat uses in Wechatpay-Serial. */
export function selfSignedCertificate(opts: { publicKey: KeyObject; privateKey: KeyObject; commonName: string; notBefore?: Date; notAfter?: Date }): IssuedCertificate {
  const dn: Dn = [['CN', opts.commonName]];
  return issueCertificate({ subject: dn, issuer: dn, subjectKey: opts.publicKey, issuerKey: opts.privateKey, notBefore: opts.notBefore, notAfter: opts.notAfter, serialBytes: 20 });
}
