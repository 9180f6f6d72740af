// Jimeng's failure modes as classes of behaviour (protocol notes §4): what the client does about
// each is decided here, once, from the business code, the gateway error or the transport error.

export type JimengErrorKind =
  | 'throttled' // 50429/50430: no task was created; back off and try again
  | 'resubmit' // 50511/50519 (output audit), expired task: a new task may pass
  | 'input_audit' // 50411/50412/50413/50518: the customer's photo or our prompt is refused; stop, no charge
  | 'server' // 5xx, transport errors, timeouts: bounded retry
  | 'auth' // gateway 401/403 (signature, key, policy): configuration problem, stop
  | 'invalid' // 50215, 400s we cannot fix by retrying
  | 'aborted'; // the caller gave up

export class JimengError extends Error {
  constructor(
    readonly kind: JimengErrorKind,
    /** Business code (50429…), gateway CodeN (100010…) or a transport code string. */
    readonly code: number | string,
    message: string,
    readonly httpStatus: number | null = null,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'JimengError';
  }
}

const THROTTLED = new Set([50429, 50430]);
const RESUBMIT = new Set([50511, 50519, 50516, 50517]);
const INPUT_AUDIT = new Set([50411, 50412, 50413, 50518]);
const SERVER = new Set([50500, 50501]);

export function kindOfBusinessCode(code: number, httpStatus: number | null): JimengErrorKind {
  if (THROTTLED.has(code)) return 'throttled';
  if (RESUBMIT.has(code)) return 'resubmit';
  if (INPUT_AUDIT.has(code)) return 'input_audit';
  if (SERVER.has(code)) return 'server';
  if (httpStatus !== null && httpStatus >= 500) return 'server';
  if (httpStatus === 429) return 'throttled';
  return 'invalid';
}

/** Gateway (ResponseMetadata.Error) codes: signature/credential problems never fix themselves. */
export function kindOfGatewayError(codeN: number, httpStatus: number | null): JimengErrorKind {
  if (httpStatus === 401 || httpStatus === 403 || [100003, 100005, 100006, 100009, 100010, 100012, 100013].includes(codeN)) return 'auth';
  if (httpStatus === 429) return 'throttled';
  if (httpStatus !== null && httpStatus >= 500) return 'server';
  return 'invalid';
}
