import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTRONAUT } from '../fixtures/paths';

const root = join(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'gen-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/generate.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 50_000,
    env: { ...process.env, KIOSK_DATA_DIR: join(tmp, 'data'), KIOSK_LOG_QUIET: '1', JIMENG_ACCESS_KEY: '', JIMENG_SECRET_KEY: '' },
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, summary: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : null, stderr: r.stderr };
}

describe('npm run generate', () => {
  it('writes four variants from the simulated Jimeng and prints one JSON summary', () => {
    const out = join(tmp, 'ok');
    const r = cli(['--provider', 'jimeng-sim', '--sim-latency-ms', '300', '--product', 'makeover', '--style', 'guochao', '--out', out, ASTRONAUT]);
    expect(r.status).toBe(0);
    expect(r.summary).toMatchObject({ provider: 'jimeng-sim', product: 'makeover', style: 'guochao', variants: 4, requests: 4 });
    for (let i = 0; i < 4; i++) expect(existsSync(join(out, `variant-${i}.jpg`))).toBe(true);
  }, 60_000);

  it('exits non-zero with the kiosk’s message when no variant could be made', () => {
    const r = cli(['--provider', 'jimeng-sim', '--sim-latency-ms', '100', '--sim-faults', 'input_audit=1', '--out', join(tmp, 'none'), ASTRONAUT]);
    expect(r.status).toBe(1);
    expect(r.summary).toMatchObject({ variants: 0, error: 'AI_INPUT_REJECTED' });
  }, 60_000);

  it('refuses to call real Jimeng without credentials', () => {
    const r = cli(['--provider', 'jimeng', '--out', join(tmp, 'x'), ASTRONAUT]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('JIMENG_ACCESS_KEY');
  }, 60_000);
});
