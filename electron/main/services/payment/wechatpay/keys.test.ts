import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildVerifierKeys, loadPrivateKey, splitPemCertificates } from './keys';
import { selfSignedCertificate } from '../../../../sim/x509';

const a = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUB_ID = 'PUB_KEY_ID_0114232806112025031900329800000001';
const pubPem = a.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('verifier keys', () => {
  it('maps the public key id and each valid platform certificate serial to its key', () => {
    const cert = selfSignedCertificate({ publicKey: b.publicKey, privateKey: b.privateKey, commonName: 'Tenpay.com Root CA' });
    const x = new X509Certificate(cert.pem);
    expect(x.verify(b.publicKey)).toBe(true);
    expect(x.serialNumber.toUpperCase()).toBe(cert.serial);
    const keys = buildVerifierKeys({ publicKey: { id: PUB_ID, pem: pubPem }, certificates: [cert.pem] });
    expect([...keys.keys()].sort()).toEqual([PUB_ID, cert.serial].sort());
    expect(keys.get(cert.serial)!.export({ type: 'spki', format: 'pem' })).toBe(b.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('skips expired certificates and reads bundles with several certificates', () => {
    const old = selfSignedCertificate({
      publicKey: a.publicKey,
      privateKey: a.privateKey,
      commonName: 'old',
      notBefore: new Date('2019-01-01T00:00:00Z'),
      notAfter: new Date('2024-01-01T00:00:00Z'),
    });
    const fresh = selfSignedCertificate({ publicKey: b.publicKey, privateKey: b.privateKey, commonName: 'new' });
    const bundle = `${old.pem}\n${fresh.pem}`;
    expect(splitPemCertificates(bundle)).toHaveLength(2);
    expect([...buildVerifierKeys({ certificates: [bundle] }).keys()]).toEqual([fresh.serial]);
    expect(() => buildVerifierKeys({ certificates: [old.pem] })).toThrow(/no WeChat Pay public key/);
  });

  it('refuses a malformed public key id, an empty configuration and a non-RSA private key', () => {
    expect(() => buildVerifierKeys({ publicKey: { id: 'PUB_KEY_12', pem: pubPem } })).toThrow(/PUB_KEY_ID_/);
    expect(() => buildVerifierKeys({})).toThrow();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => loadPrivateKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/RSA/);
    expect(loadPrivateKey(a.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()).asymmetricKeyType).toBe('rsa');
  });
});
