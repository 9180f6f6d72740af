// Edits of <dataDir>/config.json made from the admin screen. The file is read fresh (without the
// environment overrides the running kiosk applied), patched and written atomically, so an env
// variable set for one run is never frozen into the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KioskConfig, saveConfig } from '../config';

export function configFilePath(dataRoot: string): string {
  return join(dataRoot, 'config.json');
}

export function readConfigFile(dataRoot: string): KioskConfig {
  const path = configFilePath(dataRoot);
  if (existsSync(path)) {
    try {
      const parsed = KioskConfig.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // An unreadable file was already set aside by loadConfig at start-up; start from the defaults.
    }
  }
  return KioskConfig.parse({});
}

/** Applies `patch` to the file's configuration and saves it; returns what was written. */
export function patchConfigFile(dataRoot: string, patch: (c: KioskConfig) => void): KioskConfig {
  const c = readConfigFile(dataRoot);
  patch(c);
  saveConfig(configFilePath(dataRoot), c);
  return c;
}
