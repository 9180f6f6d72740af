// The import boundaries in eslint.config.js fire where they should and nowhere else: production
// code may not reach simulators or test kits, only the Electron shell imports `electron`, and the
// older layer rules (pure contract, sandboxed renderer) still hold beside the new ones.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });

/** The rule ids and messages ESLint reports for `code` as if it were the file at `filePath`. */
async function lint(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint: import boundaries', () => {
  it('production code may not import a simulator, however it spells the path', async () => {
    for (const [file, from] of [
      ['electron/main/services/orders/refunds.ts', '../../../sim/wechatpay/simulator'],
      ['electron/main/app.ts', '../sim/jimeng/simulator'],
      ['electron/browser-host/server.ts', '../sim/oss/fakeOss'],
      ['native/video/render.ts', '../../electron/sim/jimeng/video'],
    ]) {
      const out = await lint(file!, `import { x } from '${from}';`);
      expect(out, `${file} ← ${from}`).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*Simulators \(electron\/sim\/\)/)]);
    }
  });

  it('production code may not import a test kit', async () => {
    const out = await lint('electron/main/services/motion/index.ts', "import { x } from '../../testing/motion';");
    expect(out).toEqual([expect.stringContaining('Test kits (electron/main/testing/')]);
    const native = await lint('native/video/ffmpeg.ts', "import { x } from './testing/family-photo';");
    expect(native).toEqual([expect.stringContaining('Test kits')]);
  });

  it('tests, simulators and test kits may import them', async () => {
    expect(await lint('electron/main/services/motion/motion.test.ts', "import { x } from '../../../sim/jimeng/simulator';")).toEqual([]);
    expect(await lint('electron/main/testing/orders.ts', "import { x } from '../../sim/wechatpay/simulator';")).toEqual([]);
    expect(await lint('electron/sim/jimeng/video.ts', "import { x } from '../../main/testing/motion';")).toEqual([]);
    expect(await lint('native/video/testing/family-photo.ts', "import { x } from '../../../electron/main/testing/motion';")).toEqual([]);
  });

  it('only the Electron shell imports electron', async () => {
    for (const file of ['electron/main/index.ts', 'electron/main/windows/kioskWindow.ts', 'electron/preload/index.ts']) {
      expect(await lint(file, "import { x } from 'electron';"), file).toEqual([]);
    }
    for (const file of ['electron/main/services/print/electronPrinter.ts', 'electron/main/ipc/bindIpc.ts', 'electron/main/app.ts', 'electron/main/services/config/secrets.ts', 'electron/browser-host/main.ts']) {
      expect(await lint(file, "import type { x } from 'electron';"), file).toEqual([expect.stringContaining('Only the Electron shell')]);
    }
  });

  it('the shell still may not import a simulator', async () => {
    expect(await lint('electron/main/index.ts', "import { x } from './testing/orders';")).toEqual([expect.stringContaining('Test kits')]);
  });

  it('the layer rules still hold beside the new ones', async () => {
    expect(await lint('electron/shared/contract.ts', "import { x } from 'node:fs';")).toEqual([expect.stringContaining('electron/shared must stay pure')]);
    expect(await lint('renderer/src/app/flow.ts', "import { x } from '../../../electron/main/app';")).toEqual([expect.stringContaining('The renderer may import only electron/shared')]);
    const renderer = await lint('renderer/src/app/flow.ts', "import { x } from 'electron';");
    expect(renderer.some((m) => m.includes('window.kiosk'))).toBe(true);
  });
});
