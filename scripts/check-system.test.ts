// The system-package check that opens `npm test`: which runs need what, what counts as missing,
// and the one line (with its install command) a user reads. The machine is a probe object here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblems, systemProblems, type Probe } from './check-system.mjs';

/** A Debian machine with everything installed and set up; `over` takes parts away. */
function machine(over: Partial<Probe> & { missing?: string[]; env?: Record<string, string | undefined> } = {}): Probe {
  const missing = new Set(over.missing ?? []);
  const files = new Set([
    '/usr/bin/chromium',
    '/usr/lib/cups/backend/cups-pdf',
    '/var/spool/cups-pdf/kiosk',
    '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  ]);
  const commands = new Set(['ffmpeg', 'ffprobe', 'pdftoppm', 'lpstat', 'fc-list', 'xvfb-run']);
  return {
    env: over.env ?? {},
    platform: over.platform ?? 'linux',
    exists: (p) => files.has(p) && !missing.has(p),
    executable: (p) => files.has(p) && !missing.has(p),
    onPath: (c) => commands.has(c) && !missing.has(c),
    run: over.run ?? ((cmd, args) => (cmd === 'lpstat' && args.join(' ') === '-p kiosk-pdf' && !missing.has('queue') ? { status: 0, stdout: 'printer kiosk-pdf is idle.' } : { status: 1, stdout: '' })),
    electronBinary: over.electronBinary ?? (() => null),
  };
}

describe('check-system', () => {
  it('finds nothing missing on a machine set up as the README says', () => {
    expect(systemProblems('test', machine())).toEqual([]);
    expect(systemProblems('electron', machine({ env: { DISPLAY: ':99' }, electronBinary: () => '/x/electron' }))).toEqual([]);
  });

  it('names a missing Chromium with the apt-get line that installs it', () => {
    const lines = formatProblems(systemProblems('test', machine({ missing: ['/usr/bin/chromium'] })));
    expect(lines).toEqual(['missing: chromium — install with: sudo apt-get install -y chromium (/usr/bin/chromium not found; or set KIOSK_CHROMIUM)']);
  });

  it('checks the Chromium that KIOSK_CHROMIUM names instead of /usr/bin/chromium', () => {
    expect(systemProblems('e2e', machine({ env: { KIOSK_CHROMIUM: '/opt/chrome' } }))[0]).toMatchObject({ id: 'chromium', detail: expect.stringContaining('KIOSK_CHROMIUM=/opt/chrome') });
    expect(systemProblems('e2e', machine({ env: { KIOSK_CHROMIUM: '/usr/bin/chromium' }, missing: [] }))).toEqual([]);
  });

  it('lists every missing package, then one apt-get line for all of them (ffmpeg once)', () => {
    const lines = formatProblems(systemProblems('test', machine({ missing: ['ffmpeg', 'ffprobe', 'pdftoppm', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'fc-list'] })));
    expect(lines.map((l) => l.split(' — ')[0])).toEqual(['missing: ffmpeg', 'missing: ffprobe', 'missing: pdftoppm', 'missing: fonts-noto-cjk', 'all at once: sudo apt-get install -y ffmpeg poppler-utils fonts-noto-cjk']);
    expect(lines.at(-1)).toBe('all at once: sudo apt-get install -y ffmpeg poppler-utils fonts-noto-cjk');
  });

  it('accepts a Noto CJK font that fontconfig knows under another path', () => {
    const run: Probe['run'] = (cmd) => (cmd === 'fc-list' ? { status: 0, stdout: 'Noto Sans CJK SC,Noto Sans CJK SC Regular\n' } : { status: 0, stdout: '' });
    expect(systemProblems('e2e', machine({ missing: ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'], run }))).toEqual([]);
    const none: Probe['run'] = (cmd) => (cmd === 'fc-list' ? { status: 0, stdout: 'DejaVu Sans\n' } : { status: 0, stdout: '' });
    expect(systemProblems('e2e', machine({ missing: ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'], run: none })).map((p) => p.id)).toEqual(['fonts-noto-cjk']);
  });

  it('asks for the queue set-up only when CUPS and cups-pdf are installed', () => {
    const noQueue = systemProblems('test', machine({ missing: ['queue'] }));
    expect(formatProblems(noQueue)).toEqual(['missing: cups-pdf queue — fix with: sudo bash scripts/ci-cups-setup.sh (CUPS queue "kiosk-pdf" not found or cupsd not running)']);
    const noOut = systemProblems('unit', machine({ missing: ['/var/spool/cups-pdf/kiosk'] }));
    expect(noOut[0]?.detail).toContain('/var/spool/cups-pdf/kiosk');
    // Without the packages the fix is apt-get, not a queue that cannot exist yet.
    const noCups = systemProblems('test', machine({ missing: ['lpstat', '/usr/lib/cups/backend/cups-pdf', 'queue'] }));
    expect(noCups.map((p) => p.id)).toEqual(['cups', 'cups-pdf']);
    expect(formatProblems(noCups).at(-1)).toBe('all at once: sudo apt-get install -y cups printer-driver-cups-pdf');
  });

  it('honours KIOSK_CUPS_QUEUE and KIOSK_CUPS_PDF_OUT as the CUPS tests do', () => {
    const run: Probe['run'] = (cmd, args) => ({ status: cmd === 'lpstat' && args[1] === 'photo' ? 0 : 1, stdout: '' });
    expect(systemProblems('unit', machine({ run, env: { KIOSK_CUPS_QUEUE: 'photo', KIOSK_CUPS_PDF_OUT: '/var/spool/cups-pdf/kiosk' } }))).toEqual([]);
    expect(systemProblems('unit', machine({ run, env: { KIOSK_CUPS_QUEUE: 'other' } }))[0]?.detail).toContain('"other"');
  });

  it('asks only the runs that use a tool for it', () => {
    const bare = machine({ missing: ['pdftoppm', 'xvfb-run'] });
    expect(systemProblems('e2e', bare)).toEqual([]); // pdftoppm is for the print-layout unit test
    expect(systemProblems('unit', bare).map((p) => p.id)).toEqual(['pdftoppm']);
    expect(systemProblems('test', bare).map((p) => p.id)).toEqual(['pdftoppm']); // headless: no X server needed
  });

  it('test:electron needs the Electron binary everywhere, and an X server on Linux', () => {
    const noElectron = formatProblems(systemProblems('electron', machine({ platform: 'win32' })));
    expect(noElectron).toHaveLength(1);
    expect(noElectron[0]).toMatch(/^missing: electron — fix with: npm install/);
    const headless = machine({ missing: ['xvfb-run'], electronBinary: () => '/x/electron' });
    expect(formatProblems(systemProblems('electron', headless))).toEqual(['missing: xvfb-run — install with: sudo apt-get install -y xvfb (no DISPLAY and xvfb-run not on PATH)']);
    // xvfb-run installed but not used: say how to run under it.
    const notWrapped = machine({ electronBinary: () => '/x/electron' });
    expect(formatProblems(systemProblems('electron', notWrapped))).toEqual(['missing: display — fix with: xvfb-run -a npm run test:electron (no DISPLAY: the Electron window needs an X server)']);
    expect(systemProblems('electron', machine({ missing: ['xvfb-run'], env: { DISPLAY: ':0' }, electronBinary: () => '/x/electron' }))).toEqual([]);
  });

  it('asks no Debian packages of Windows or macOS', () => {
    expect(systemProblems('test', machine({ platform: 'win32', missing: ['/usr/bin/chromium', 'ffmpeg', 'lpstat'] }))).toEqual([]);
  });

  it('refuses an unknown scope', () => {
    expect(() => systemProblems('all' as 'test', machine())).toThrow(/unknown scope "all"/);
  });

  it('as a command: exits 1 and prints the lines on a machine without the tools, 0 with them', () => {
    const script = fileURLToPath(new URL('./check-system.mjs', import.meta.url));
    const bare = spawnSync(process.execPath, [script, 'e2e'], { encoding: 'utf8', env: { PATH: '/nonexistent', KIOSK_CHROMIUM: '/nonexistent/chromium' } });
    expect(bare.status).toBe(1);
    expect(bare.stderr).toContain('missing: ffmpeg — install with: sudo apt-get install -y ffmpeg');
    expect(bare.stderr).toContain('missing: chromium');
    const here = spawnSync(process.execPath, [script, 'test'], { encoding: 'utf8' });
    expect({ status: here.status, stderr: here.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
