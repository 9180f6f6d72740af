import { describe, expect, it } from 'vitest';
import { describeJimengConfig, hasCredentials, jimengConfigFromEnv } from './config';

describe('Jimeng config', () => {
  it('defaults to the public endpoint, cn-north-1/cv and the documented req_keys', () => {
    const c = jimengConfigFromEnv(undefined, {});
    expect(c).toMatchObject({
      endpoint: 'https://visual.volcengineapi.com',
      region: 'cn-north-1',
      service: 'cv',
      reqKeys: { puzzle: 'jimeng_t2i_v40', puzzleFallback: 'jimeng_i2i_v30', makeover: 'jimeng_i2i_v30' },
      concurrency: 4,
      timeouts: { callMs: 30_000 },
    });
    expect(hasCredentials(c)).toBe(false);
  });

  it('lets JIMENG_ENDPOINT / JIMENG_ACCESS_KEY / JIMENG_SECRET_KEY override the file', () => {
    const c = jimengConfigFromEnv(
      { endpoint: 'https://file.example', accessKey: 'fileAK', secretKey: 'fileSK', concurrency: 2 },
      { JIMENG_ENDPOINT: 'http://127.0.0.1:9', JIMENG_ACCESS_KEY: 'envAK', JIMENG_SECRET_KEY: 'envSK' },
    );
    expect(c).toMatchObject({ endpoint: 'http://127.0.0.1:9', accessKey: 'envAK', secretKey: 'envSK', concurrency: 2 });
  });

  it('never shows the keys in what may be logged or displayed', () => {
    const c = jimengConfigFromEnv({ accessKey: 'AKLTsecretish', secretKey: 'very-secret' }, {});
    const shown = JSON.stringify(describeJimengConfig(c));
    expect(shown).not.toContain('AKLTsecretish');
    expect(shown).not.toContain('very-secret');
    expect(shown).toContain('"secretKeySet":true');
  });

  it('rejects nonsense with a validation error instead of running with it', () => {
    expect(() => jimengConfigFromEnv({ concurrency: 0 }, {})).toThrow();
    expect(() => jimengConfigFromEnv({ reqKeys: { makeover: 'DROP TABLE' } }, {})).toThrow();
    expect(() => jimengConfigFromEnv({}, { JIMENG_ENDPOINT: 'not a url' })).toThrow();
  });
});
