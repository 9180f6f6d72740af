// Nothing the customer sees may escape translation: Chinese text belongs in the catalogues only.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts', '!../**/*.test.tsx'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** The kiosk catalogues, and any feature's own i18n/zh.ts + en.ts (e.g. the admin screen's). */
const isCatalogue = (path: string) => /^\.\/(zh|en)\.ts$/.test(path) || /\/i18n\/(zh|en)\.ts$/.test(path);

/** Removes comments (where Chinese product names are welcome) but keeps strings and JSX text. */
export function stripComments(code: string): string {
  let out = '';
  let i = 0;
  let quote: string | null = null;
  while (i < code.length) {
    const c = code[i] as string;
    const next = code[i + 1];
    if (quote) {
      out += c;
      if (c === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (c === quote) quote = null;
      i++;
    } else if (c === '/' && next === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 2;
    } else {
      if (c === '"' || c === "'" || c === '`') quote = c;
      out += c;
      i++;
    }
  }
  return out;
}

describe('no Chinese outside the catalogues', () => {
  it('recognises catalogue files and nothing else', () => {
    expect(['./zh.ts', './en.ts', '../admin/i18n/zh.ts'].every(isCatalogue)).toBe(true);
    expect(['./index.ts', '../screens/zh.tsx', '../app/zh.ts'].some(isCatalogue)).toBe(false);
  });

  it('finds the renderer sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(Object.keys(sources)).toContain('../screens/CaptureScreen.tsx');
  });

  it('stripComments keeps string literals and drops comments', () => {
    const code = "// 注释\nconst a = '中文'; /* 块 */ const b = \"x // y\";";
    expect(stripComments(code)).toContain("'中文'");
    expect(stripComments(code)).not.toContain('注释');
    expect(stripComments(code)).not.toContain('块');
    expect(stripComments(code)).toContain('"x // y"');
  });

  it('every Chinese string literal or JSX text lives in i18n/zh.ts or en.ts', () => {
    const offenders: string[] = [];
    for (const [path, code] of Object.entries(sources)) {
      if (isCatalogue(path)) continue;
      stripComments(code)
        .split('\n')
        .forEach((line, n) => {
          if (/[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/.test(line)) offenders.push(`${path}:${n + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
