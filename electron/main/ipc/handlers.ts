// Every contract call, implemented once. Both hosts (Electron IPC, browser HTTP) dispatch here:
// zod parse → service → Result. A handler throws KioskFailure for expected failures.
import { calls, isCallName, type CallInput, type CallName, type CallOutput } from '../../shared/contract';
import { err, ok, toKioskError, type Result } from '../../shared/result';
import { logger } from '../infra/log';

const log = logger('api');

export type Handlers = { [N in CallName]: (input: CallInput<N>) => Promise<CallOutput<N>> };

/** Validates the raw input, runs the handler, and turns any outcome into a Result. Never throws. */
export async function dispatch(handlers: Handlers, name: unknown, raw: unknown): Promise<Result<unknown>> {
  if (!isCallName(name)) return err('UNKNOWN_CALL', '不支持的操作');
  const parsed = calls[name].input.safeParse(raw ?? {});
  if (!parsed.success) {
    log.warn('call.invalid_input', { call: name, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    return err('VALIDATION', '请求有误，请重试');
  }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    return ok(await handler(parsed.data));
  } catch (e) {
    const error = toKioskError(e);
    if (error.code === 'INTERNAL') log.error('call.failed', { call: name, error: e as Error });
    else log.info('call.refused', { call: name, code: error.code });
    return { ok: false, error };
  }
}
