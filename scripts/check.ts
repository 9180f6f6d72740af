// Operator CLI: `npm run check -- <image files…> [--json]`. Runs the same pipeline as the kiosk
// (decode → detect → rules → compress) on each file. With --json, stdout carries exactly one JSON
// object per file and nothing else (logs and model warnings go to stderr).
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RULES, type RuleThresholds } from '../native/face/rules';
import { DEFAULT_LIMITS } from '../native/image/decode';
import { createPipeline, failureOutcome } from '../native/host/pipeline';
import { InputFailure } from '../native/image/failures';
import type { PhotoCheckData } from '../native/protocol';

const RULES: Array<{ codes: string[]; label: string }> = [
  { codes: ['NO_FACE', 'NOT_A_PERSON', 'LOW_CONFIDENCE', 'TOO_FEW_FACES', 'TOO_MANY_FACES'], label: '人数 face count' },
  { codes: ['FACE_TOO_SMALL', 'FACE_MUCH_SMALLER'], label: '脸的大小 face size' },
  { codes: ['FACE_CUT_OFF'], label: '完整入镜 inside frame' },
  { codes: ['BLURRY', 'SLIGHTLY_SOFT'], label: '清晰 sharpness' },
  { codes: ['TOO_DARK', 'TOO_BRIGHT', 'A_BIT_DARK', 'A_BIT_BRIGHT'], label: '光线 light' },
  { codes: ['FACE_TURNED'], label: '正脸 facing camera' },
  { codes: ['EYES_CLOSED'], label: '睁眼 eyes open' },
];

const USAGE = `usage: npm run check -- <image files…> [--json] [--min-faces=N] [--max-faces=N] [--min-face-px=N] [--min-score=X] [--min-second-look=X] [--eyes-closed-below=X]`;

function parseArgs(argv: string[]): { files: string[]; json: boolean; thresholds: Partial<RuleThresholds> } | null {
  const files: string[] = [];
  const thresholds: Partial<RuleThresholds> = {};
  let json = false;
  const numeric: Record<string, keyof RuleThresholds> = {
    '--min-faces': 'minFaces',
    '--max-faces': 'maxFaces',
    '--min-face-px': 'minFacePx',
    '--min-score': 'minScore',
    '--min-second-look': 'minSecondLook',
    '--eyes-closed-below': 'eyesClosedBelow',
  };
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') return null;
    else if (a.startsWith('--')) {
      const [k, v] = a.split('=', 2);
      const key = numeric[k ?? ''];
      const n = Number(v);
      if (!key || v === undefined || !Number.isFinite(n)) return null;
      thresholds[key] = n;
    } else files.push(a);
  }
  return files.length ? { files, json, thresholds } : null;
}

function readInput(file: string): Uint8Array | PhotoCheckData {
  try {
    const st = statSync(file);
    if (!st.isFile()) return { ...failureOutcome(new InputFailure('UNREADABLE', 'not a regular file')) };
    // Refuse from the size alone: a 10 GB file is never read into memory.
    if (st.size > DEFAULT_LIMITS.maxBytes) return failureOutcome(new InputFailure('TOO_LARGE', `${st.size} bytes`));
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const out = failureOutcome(new InputFailure('UNREADABLE', String(code)));
    if (code === 'ENOENT') out.reasons = [{ code: 'FILE_NOT_FOUND', message: '找不到这个文件', kind: 'refusal' }];
    return out;
  }
}

function human(file: string, r: PhotoCheckData, minSecondLook: number): string {
  const advice = r.ok && r.reasons.length > 0;
  const lines = [`${file}: ${r.ok ? (advice ? '✔ 可用，有建议 PASS with advice' : '✔ 通过 PASS') : '✘ 不通过 FAIL'}${r.width ? `  ${r.width}×${r.height}` : ''}`];
  lines.push(`  faces: ${r.faces.length}${r.faces.map((f, i) => `\n    #${i + 1} x=${f.x} y=${f.y} ${f.w}×${f.h} score=${f.score.toFixed(3)}`).join('')}`);
  if (r.notHuman.length) {
    const why = (f: PhotoCheckData['notHuman'][number]): string =>
      f.tintOff !== undefined ? `colour ${f.tintOff}° off skin (a print, not a person)` : `second look ${f.second.toFixed(3)} < ${minSecondLook}`;
    const set = r.notHuman.map((f) => `\n    x=${f.x} y=${f.y} ${f.w}×${f.h} score=${f.score.toFixed(3)}, ${why(f)}`);
    lines.push(`  set aside, not a person (pet, object, print): ${r.notHuman.length}${set.join('')}`);
  }
  const ruleCodes = new Set(RULES.flatMap((x) => x.codes));
  const inputFailure = r.reasons.find((x) => !ruleCodes.has(x.code));
  if (inputFailure) lines.push(`  input: ✘ ${inputFailure.code} ${inputFailure.message}`);
  else {
    for (const rule of RULES) {
      const failed = r.reasons.filter((x) => rule.codes.includes(x.code));
      const mark = failed.some((x) => x.kind === 'refusal') ? '✘' : failed.length ? '△' : '✔';
      lines.push(`  ${mark} ${rule.label}${failed.map((x) => `  ${x.code} (${x.kind === 'advice' ? '建议 advice' : '拒绝 refusal'}) ${x.message}`).join('')}`);
    }
  }
  lines.push(`  compressed: ${r.jpeg ? `${r.jpeg.length} bytes (${(r.jpeg.length / 1024).toFixed(0)} KB)` : '—'}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(USAGE + '\n');
    return 64;
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const pipeline = await createPipeline({ modelsDir: process.env.KIOSK_MODELS_DIR ?? join(root, 'models'), threads: 2 });
  const thresholds = { ...DEFAULT_RULES, ...args.thresholds };
  let allOk = true;
  try {
    for (const file of args.files) {
      const input = readInput(file);
      const r = input instanceof Uint8Array ? await pipeline.checkPhoto(input, thresholds) : input;
      allOk &&= r.ok;
      if (args.json) {
        const refusals = r.reasons.filter((x) => x.kind === 'refusal').map((x) => x.code);
        const advice = r.reasons.filter((x) => x.kind === 'advice').map((x) => x.code);
        const line = { file, ok: r.ok, faces: r.faces, reasons: refusals, advice, bytes: r.jpeg ? r.jpeg.length : null };
        process.stdout.write(JSON.stringify(line) + '\n');
      } else process.stdout.write(human(file, r, thresholds.minSecondLook) + '\n');
    }
  } finally {
    await pipeline.close();
  }
  return allOk ? 0 : 2;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`check: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
