import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS, finding, kindOf, usable } from './findings';

describe('findings: refusal or advice, one list', () => {
  it('is the table native/README.md shows (code, kind, message)', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (refusal|advice) \| [^|]+\| ([^|]+) \|$/gm)].map((m) => [m[1], m[2], m[3]!.trim()]);
    const list = Object.entries(FINDINGS).map(([code, f]) => [code, f.kind, f.message.replace('{n}', 'N').replace('{m}', 'M').replace('{max}', '5')]);
    expect(rows).toEqual(list);
  });

  it('treats unknown codes (input failures, host errors) as refusals: fail closed', () => {
    expect(kindOf('UNREADABLE')).toBe('refusal');
    expect(kindOf('CHECK_TIMEOUT')).toBe('refusal');
    expect(kindOf('FACE_TURNED')).toBe('advice');
    expect(usable([{ code: 'FACE_TURNED' }, { code: 'A_BIT_DARK', kind: 'advice' }])).toBe(true);
    expect(usable([{ code: 'FACE_TURNED' }, { code: 'CHECK_TIMEOUT' }])).toBe(false);
    expect(usable([])).toBe(true);
  });

  it('fills the numbers into the message', () => {
    expect(finding('TOO_MANY_FACES', { n: 7, max: 5 })).toEqual({ code: 'TOO_MANY_FACES', kind: 'refusal', message: '画面里有 7 个人，一次最多 5 个人，请分开拍' });
  });
});
