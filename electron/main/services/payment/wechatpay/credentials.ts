// Resolves the key material for a WeChatPayConfig: the private key and APIv3 key from the secret
// store (preferred: encrypted at rest) or from the files/env named in the config; the verifier
// keys from the public key file and/or platform certificates (public, not secret).
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { SecretStore } from '../../config/secrets';
import type { WeChatPayConfig, WeChatPayConfigBase } from './config';
import type { z } from 'zod';
import { buildVerifierKeys, loadPrivateKey } from './keys';

export const SECRET_PRIVATE_KEY = 'wechatpay.private-key';
export const SECRET_APIV3_KEY = 'wechatpay.apiv3-key';

export interface WeChatPayCredentials {
  mchid: string;
  merchantSerial: string;
  privateKey: KeyObject;
  verifierKeys: Map<string, KeyObject>;
  /** Preferred Wechatpay-Serial to send: the public key id in public-key mode. */
  wechatpaySerial?: string;
  apiv3Key: string | null;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} (${file}): ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function signingKey(cfg: z.infer<typeof WeChatPayConfigBase>, secrets?: SecretStore | null): KeyObject {
  const keyPem = cfg.privateKeyFile ? readText(cfg.privateKeyFile, 'merchant private key') : (secrets?.get(SECRET_PRIVATE_KEY) ?? null);
  if (!keyPem) throw new Error('merchant private key not configured: set privateKeyFile or import it into the secret store (npm run pay -- import-keys)');
  return loadPrivateKey(keyPem);
}

/** Credentials that can sign but trust no WeChat key yet: only for downloading platform certificates. */
export function loadSigningCredentials(cfg: z.infer<typeof WeChatPayConfigBase>, secrets?: SecretStore | null): WeChatPayCredentials {
  return {
    mchid: cfg.mchid,
    merchantSerial: cfg.merchantSerial.toUpperCase(),
    privateKey: signingKey(cfg, secrets),
    verifierKeys: new Map(),
    wechatpaySerial: cfg.publicKeyId,
    apiv3Key: cfg.apiv3Key ?? secrets?.get(SECRET_APIV3_KEY) ?? null,
  };
}

export function loadWeChatPayCredentials(cfg: WeChatPayConfig, secrets?: SecretStore | null): WeChatPayCredentials {
  const privateKey = signingKey(cfg, secrets);
  const apiv3Key = cfg.apiv3Key ?? secrets?.get(SECRET_APIV3_KEY) ?? null;
  const verifierKeys = buildVerifierKeys({
    publicKey: cfg.publicKeyFile && cfg.publicKeyId ? { id: cfg.publicKeyId, pem: readText(cfg.publicKeyFile, 'WeChat Pay public key') } : undefined,
    certificates: cfg.platformCertFiles.map((f) => readText(f, 'platform certificate')),
  });
  return {
    mchid: cfg.mchid,
    merchantSerial: cfg.merchantSerial.toUpperCase(),
    privateKey,
    verifierKeys,
    wechatpaySerial: cfg.publicKeyId,
    apiv3Key,
  };
}
