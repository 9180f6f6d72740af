// Key material: the merchant private key that signs requests, and the verifier keys
// (serial → public key) that check WeChat's signatures in either mode:
//  - public-key mode: one key with id PUB_KEY_ID_ + digits, downloaded once from the merchant portal;
//  - platform-certificate mode: X.509 certificates, looked up by their 40-hex serial.
// During a migration both are accepted, chosen by the incoming Wechatpay-Serial (notes A2).
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export const PUBLIC_KEY_ID_RE = /^PUB_KEY_ID_\d{16,40}$/;

export function loadPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error('merchant key is not an RSA private key');
  return key;
}

export function loadPublicKey(pem: string): KeyObject {
  // A certificate PEM also works here, so an operator who drops the wrong file still gets a key.
  const key = createPublicKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error('WeChat Pay public key is not an RSA key');
  return key;
}

/** Normalised certificate serial: upper-case hex without separators or leading zero padding beyond the DER. */
export function certificateSerial(cert: X509Certificate): string {
  return cert.serialNumber.replace(/:/g, '').toUpperCase();
}

export interface VerifierSources {
  publicKey?: { id: string; pem: string };
  /** PEM texts of platform certificates (a file may hold several). */
  certificates?: string[];
  now?: Date;
}

/** Splits a PEM bundle into its certificates. */
export function splitPemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export function buildVerifierKeys(src: VerifierSources): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  if (src.publicKey) {
    if (!PUBLIC_KEY_ID_RE.test(src.publicKey.id)) throw new Error('WeChat Pay public key id must look like PUB_KEY_ID_<digits>');
    keys.set(src.publicKey.id, loadPublicKey(src.publicKey.pem));
  }
  const now = src.now ?? new Date();
  for (const bundle of src.certificates ?? []) {
    for (const pem of splitPemCertificates(bundle)) {
      const cert = new X509Certificate(pem);
      // An expired platform certificate must not verify anything any more.
      if (new Date(cert.validTo) < now) continue;
      keys.set(certificateSerial(cert), cert.publicKey);
    }
  }
  if (keys.size === 0) throw new Error('no WeChat Pay public key or valid platform certificate configured');
  return keys;
}
