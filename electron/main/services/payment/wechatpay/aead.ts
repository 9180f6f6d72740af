// AEAD_AES_256_GCM as WeChat Pay uses it for notifications and certificate downloads:
// key = the APIv3 key as 32 ASCII bytes, iv = `nonce` (12 chars), AAD = `associated_data`,
// ciphertext = Base64(encrypted ‖ 16-byte tag).
import { createCipheriv, createDecipheriv } from 'node:crypto';

const TAG_BYTES = 16;

function keyBytes(apiv3Key: string): Buffer {
  const key = Buffer.from(apiv3Key, 'utf8');
  if (key.length !== 32) throw new RangeError('APIv3 key must be 32 bytes');
  return key;
}

export function aesGcmEncrypt(plaintext: string, apiv3Key: string, nonce: string, associatedData = ''): string {
  const cipher = createCipheriv('aes-256-gcm', keyBytes(apiv3Key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** Returns the plaintext, or null when the key, nonce, AAD or ciphertext do not authenticate. */
export function aesGcmDecrypt(ciphertextB64: string, apiv3Key: string, nonce: string, associatedData = ''): string | null {
  try {
    const buf = Buffer.from(ciphertextB64, 'base64');
    if (buf.length <= TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(apiv3Key), Buffer.from(nonce, 'utf8'), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    return Buffer.concat([decipher.update(buf.subarray(0, buf.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
