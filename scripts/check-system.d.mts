export type Scope = 'test' | 'unit' | 'e2e' | 'electron';
export interface Probe {
  env: Record<string, string | undefined>;
  platform: string;
  exists(path: string): boolean;
  executable(path: string): boolean;
  onPath(cmd: string): boolean;
  run(cmd: string, args: string[]): { status: number; stdout: string };
  electronBinary(): string | null;
}
export interface Problem {
  id: string;
  detail: string;
  debian?: string[];
  fix?: string;
}
export declare const requirements: ReadonlyArray<{ id: string; scopes: string[]; platforms: string[]; debian?: string[]; fix?: string; after?: string[] }>;
export declare function systemProblems(scope: Scope, probe: Probe): Problem[];
export declare function formatProblems(problems: Problem[]): string[];
export declare function realProbe(env?: Record<string, string | undefined>, platform?: string): Probe;
