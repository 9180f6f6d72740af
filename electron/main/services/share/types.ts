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
  publishDownloadPage?(folder: string, opts: DownloadPageInfo): Promise<string>;
  /** Private originals (AI inputs) uploaded by key; deleted explicitly by retention. */
  removeOriginals?(keys: string[]): Promise<void>;
}

/** What the OSS share's static download page shows besides the files. */
export interface DownloadPageInfo {
  blessing?: string;
  expiresAt: Date;
  living?: boolean;
  /** Short order code and the operator's after-sales contact (issue 15: on the download page too). */
  orderCode?: string;
  afterSalesContact?: string;
  /** Paid orders: the delivered picture, to publish the greeting card page and its thumbnail from. */
  cardPhotoPath?: string;
  studio?: string;
}
