// The operator CLI as a shell user runs it: one JSON object per line on stdout and nothing else.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as F from '../bench/fixtures-faces';
import { ASTRONAUT, COFFEE } from '../fixtures/paths';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'check-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'check.ts'), ...args], { cwd: root, env: { ...process.env, KIOSK_LOG_QUIET: '1' } });
    return { ...r, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { stdout: x.stdout, stderr: x.stderr, code: x.code };
  }
}

describe('npm run check', () => {
  it('prints one JSON line per file, including files that cannot be read', async () => {
    const pngNamedJpg = join(dir, 'really-a-png.jpg');
    writeFileSync(pngNamedJpg, F.astronautPng());
    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'not an image at all');
    const group = join(dir, 'group.jpg');
    writeFileSync(group, (await F.groupPhoto({ count: 3, tile: 500, width: 1800, height: 1200 })).image);
    const files = [ASTRONAUT, COFFEE, pngNamedJpg, text, join(dir, 'missing.jpg'), group];
    const { stdout, code } = await cli([...files, '--json']);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file)).toEqual(files);
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(['advice', 'bytes', 'faces', 'file', 'ok', 'reasons']);
    const [portrait, coffee, renamed, notes, missing, three] = lines;
    expect(portrait).toMatchObject({ ok: true, reasons: [] });
    expect(portrait!.faces).toEqual([expect.objectContaining({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number), score: expect.any(Number) })]);
    expect(portrait!.bytes).toBeGreaterThan(1000);
    expect(coffee).toMatchObject({ ok: false, faces: [], reasons: ['NOT_A_PERSON'] }); // face-like to the first look, set aside by the second
    expect(renamed).toMatchObject({ ok: true });
    expect(notes).toMatchObject({ ok: false, reasons: ['NOT_AN_IMAGE'], bytes: null });
    expect(missing).toMatchObject({ ok: false, reasons: ['FILE_NOT_FOUND'], bytes: null });
    expect(three).toMatchObject({ ok: true });
    expect(three!.faces).toHaveLength(3);
    expect(code).toBe(2); // some files failed the check
  });

  it('prints faces, each rule, the verdict and the size for people', async () => {
    const { stdout, code } = await cli([ASTRONAUT]);
    expect(code).toBe(0);
    expect(stdout).toContain('通过 PASS');
    expect(stdout).toMatch(/#1 x=\d+ y=\d+ \d+×\d+ score=0\.\d{3}/);
    expect(stdout).toContain('✔ 清晰 sharpness');
    expect(stdout).toMatch(/compressed: \d+ bytes/);
  });

  it('explains its usage on bad arguments', async () => {
    const { stderr, code } = await cli(['--max-faces=lots', 'x.jpg']);
    expect(code).toBe(64);
    expect(stderr).toContain('usage: npm run check');
  });
});
