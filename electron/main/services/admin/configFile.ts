// Edits of <dataDir>/config.json made from the admin screen. The file is read fresh (without the
// environment overrides the running kiosk applied), patched and written atomically, so an env
// variable set for one run is never frozen into the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KioskFailure } from '../../../shared/result';
import { KioskConfig, saveConfig } from '../config';

export function configFilePath(dataRoot: string): string {
  return join(dataRoot, 'config.json');
}

/** The file's configuration, or null when it does not parse or has an invalid field. */
export function tryReadConfigFile(dataRoot: string): KioskConfig | null {
  const path = configFilePath(dataRoot);
  if (!existsSync(path)) return KioskConfig.parse({});
  try {
    const parsed = KioskConfig.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The file's configuration. Fail closed: a file with errors is never replaced by defaults here —
 * that would overwrite the operator's settings (and sections the admin screen does not show).
 */
export function readConfigFile(dataRoot: string): KioskConfig {
  const c = tryReadConfigFile(dataRoot);
  if (!c) throw new KioskFailure('CONFIG_INVALID', '配置文件 config.json 有错误，请先修正该文件（见健康页）再保存设置');
  return c;
}

/** Applies `patch` to the file's configuration and saves it (never over a file with errors); returns what was written. */
export function patchConfigFile(dataRoot: string, patch: (c: KioskConfig) => void): KioskConfig {
  const c = readConfigFile(dataRoot);
  patch(c);
  saveConfig(configFilePath(dataRoot), c);
  return c;
}
