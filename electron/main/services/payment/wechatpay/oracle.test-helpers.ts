// wechatpay-axios-plugin's helpers as an independent oracle (a dev dependency written by the
// author of the official wechatpay-php); deep-imported so axios is never loaded.
import { createRequire } from 'node:module';
import type { KeyObject } from 'node:crypto';

const require = createRequire(import.meta.url);

export const OracleRsa = require('wechatpay-axios-plugin/lib/rsa') as {
  sign(message: string, privateKey: KeyObject | string): string;
  verify(message: string, signature: string, publicKey: KeyObject | string): boolean;
  fromPkcs8(b64: string): KeyObject;
};
export const OracleFormatter = require('wechatpay-axios-plugin/lib/formatter') as {
  request(method: string, uri: string, timestamp: string | number, nonce: string, body?: string): string;
  response(timestamp: string | number, nonce: string, body?: string): string;
  authorization(mchid: string, nonce: string, signature: string, timestamp: string | number, serial: string): string;
  nonce(size?: number): string;
};
export const OracleAesGcm = (require('wechatpay-axios-plugin/lib/aes') as {
  AesGcm: {
    encrypt(plaintext: string, key: string, iv: string, aad?: string): string;
    decrypt(ciphertext: string, key: string, iv: string, aad?: string): string;
  };
}).AesGcm;
