// Alipay certificate mode (公钥证书模式): requests carry app_cert_sn (the app's public-key
// certificate) and alipay_root_cert_sn (Alipay's root certificates); answers name alipay_cert_sn.
// A certificate's SN, as Alipay defines it: MD5 (hex) of the issuer DN written most-specific-first
// as "CN=…,OU=…,O=…,C=…" followed by the serial number in decimal. The root SN joins the SNs of the
// root bundle's certificates signed with RSA (OID 1.2.840.113549.1.1.*) with "_"; the SM2 ones are skipped.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function splitPem(bundle: string): string[] {
  return bundle.match(PEM_RE) ?? [];
}

/** Issuer DN the way Alipay's SDKs write it: the certificate's RDNs reversed, "short=value" joined by ",". */
export function issuerDn(cert: X509Certificate): string {
  return cert.issuer
    .split('\n')
    .filter(Boolean)
    .reverse()
    .join(',');
}

export function certSn(pemOrCert: string | X509Certificate): string {
  const cert = typeof pemOrCert === 'string' ? new X509Certificate(pemOrCert) : pemOrCert;
  const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
  return createHash('md5').update(issuerDn(cert) + serial, 'utf8').digest('hex');
}

/** The certificate's outer signatureAlgorithm OID, read from its DER (Node does not expose it). */
export function signatureAlgorithmOid(der: Buffer): string | null {
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, … }, signature BIT STRING }
  const read = (at: number): { tag: number; len: number; body: number } | null => {
    if (at + 2 > der.length) return null;
    const tag = der[at]!;
    let len = der[at + 1]!;
    let body = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n < 1 || n > 4) return null;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[body + i]!;
      body += n;
    }
    return { tag, len, body };
  };
  const outer = read(0);
  if (!outer || outer.tag !== 0x30) return null;
  const tbs = read(outer.body);
  if (!tbs || tbs.tag !== 0x30) return null;
  const alg = read(tbs.body + tbs.len);
  if (!alg || alg.tag !== 0x30) return null;
  const oid = read(alg.body);
  if (!oid || oid.tag !== 0x06) return null;
  const bytes = der.subarray(oid.body, oid.body + oid.len);
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    v = v * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const RSA_SIGNATURE_OID = /^1\.2\.840\.113549\.1\.1\./;

/** alipay_root_cert_sn: the SNs of the RSA-signed certificates of the root bundle, joined by "_". */
export function rootCertSn(bundle: string): string {
  const sns: string[] = [];
  for (const pem of splitPem(bundle)) {
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const oid = signatureAlgorithmOid(der);
    if (!oid || !RSA_SIGNATURE_OID.test(oid)) continue;
    sns.push(certSn(new X509Certificate(der)));
  }
  return sns.join('_');
}

/** The Alipay public key inside its public-key certificate (alipayCertPublicKey_RSA2.crt). */
export function publicKeyOfCert(pem: string): KeyObject {
  return new X509Certificate(pem).publicKey;
}
