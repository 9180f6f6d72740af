// Platform-certificate download (certificate-mode merchants only; public-key merchants get 403/404
// and must use the PUB_KEY_ID_ key from the portal instead). The list is AEAD-encrypted with the
// APIv3 key, which authenticates it; the answer's signature is then checked with the downloaded
// certificate itself (the bootstrap the official CertificateDownloader does) or a known key.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { PaymentError } from '../types';
import { aesGcmDecrypt } from './aead';
import type { WeChatPayHttp } from './http';
import { certificateSerial } from './keys';

const CertificatesWire = z.object({
  data: z.array(
    z.object({
      serial_no: z.string(),
      effective_time: z.string().optional(),
      expire_time: z.string().optional(),
      encrypt_certificate: z.object({
        algorithm: z.literal('AEAD_AES_256_GCM'),
        nonce: z.string(),
        associated_data: z.string().default(''),
        ciphertext: z.string(),
      }),
    }),
  ),
});

export interface PlatformCertificate {
  serial: string;
  pem: string;
  notAfter: string;
}

export async function downloadPlatformCertificates(http: WeChatPayHttp, apiv3Key: string, knownKeys: ReadonlyMap<string, KeyObject> = new Map()): Promise<PlatformCertificate[]> {
  const answer = await http.callRaw('GET', '/v3/certificates');
  let certs: PlatformCertificate[] = [];
  if (answer.status === 200) {
    let parsed: z.infer<typeof CertificatesWire>;
    try {
      parsed = CertificatesWire.parse(JSON.parse(answer.raw.toString('utf8')));
    } catch {
      throw new PaymentError('BAD_RESPONSE', '微信支付应答格式错误', 'retry');
    }
    certs = parsed.data.map((d) => {
      const e = d.encrypt_certificate;
      const pem = aesGcmDecrypt(e.ciphertext, apiv3Key, e.nonce, e.associated_data);
      if (pem === null) throw new PaymentError('DECRYPT_FAILED', '平台证书解密失败，请检查APIv3密钥', 'stop');
      const x = new X509Certificate(pem);
      if (certificateSerial(x) !== d.serial_no.toUpperCase()) throw new PaymentError('RESPONSE_MISMATCH', '平台证书序列号不符', 'stop');
      return { serial: certificateSerial(x), pem, notAfter: new Date(x.validTo).toISOString() };
    });
  }
  const keys = new Map<string, KeyObject>(knownKeys);
  for (const c of certs) keys.set(c.serial, new X509Certificate(c.pem).publicKey);
  // Verifies the signature (2xx) or classifies the error (403 for public-key-only merchants).
  http.judge('GET', answer, keys);
  return certs;
}
