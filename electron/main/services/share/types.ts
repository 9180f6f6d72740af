// Where the phone download comes from. Implementations: lan (default, the kiosk's own phone listener), oss.

export interface ShareStore {
  readonly name: string;
  /** Store the file under the key (idempotent: same key, same bytes). */
  put(key: string, filePath: string, contentType: string): Promise<void>;
  /** A URL a phone can fetch the object from, valid for at least `ttlSec`. */
  url(key: string, ttlSec: number): Promise<string>;
  remove(keys: string[]): Promise<void>;
}
