// Where the phone download comes from. Implementations: lan (default, the kiosk's own phone listener), oss.

export interface ShareStore {
  readonly name: string;
  /** Store the file under the key (idempotent: same key, same bytes). */
  put(key: string, filePath: string, contentType: string): Promise<void>;
  /** A URL a phone can fetch the object from, valid for at least `ttlSec`. */
  url(key: string, ttlSec: number): Promise<string>;
  remove(keys: string[]): Promise<void>;
  /**
   * Shares that live off the kiosk (OSS) publish their own download page next to the files in
   * `folder` and return its URL: that, not the kiosk's phone listener, is the QR target.
   */
  publishDownloadPage?(folder: string, opts: { blessing?: string; expiresAt: Date; living?: boolean }): Promise<string>;
  /** Private originals (AI inputs) uploaded by key; deleted explicitly by retention. */
  removeOriginals?(keys: string[]): Promise<void>;
}
