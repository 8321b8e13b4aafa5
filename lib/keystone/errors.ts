/**
 * Outcomes that are not an HTTP response. They stay distinct because they mean different
 * things to a history checker: a refused connection never reached Keystone (a failure), while a
 * dropped connection or a timeout may or may not have changed state (an unknown outcome).
 */
export type TransportErrorKind = 'no-response' | 'timeout' | 'connect';

export class KeystoneTransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    readonly method: string,
    readonly path: string,
    readonly requestId: string,
    readonly durationMs: number,
    cause: unknown,
  ) {
    super(`${method} ${path}: ${describeKind(kind)} after ${Math.round(durationMs)} ms (request ${requestId}): ${causeMessage(cause)}`, { cause });
    this.name = 'KeystoneTransportError';
  }
}

/** A response whose status was not the one the caller required. */
export class KeystoneStatusError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly expected: readonly number[],
    readonly requestId: string,
    readonly maskedBody: string,
  ) {
    super(`${method} ${path}: HTTP ${status}, expected ${expected.join(' or ')} (request ${requestId}): ${maskedBody.slice(0, 500)}`);
    this.name = 'KeystoneStatusError';
  }
}

function describeKind(kind: TransportErrorKind): string {
  switch (kind) {
    case 'no-response': return 'connection closed with no response';
    case 'timeout': return 'no response within the timeout';
    case 'connect': return 'could not connect';
  }
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}

/** Maps an undici/Node network error to the outcome it stands for. */
export function classifyTransportError(err: unknown): TransportErrorKind {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const causeCode = ((err as { cause?: { code?: string } } | undefined)?.cause?.code) ?? '';
  const codes = `${code} ${causeCode}`;
  if (/UND_ERR_(HEADERS|BODY)_TIMEOUT|ABORT_ERR|TimeoutError/.test(codes) || (err as Error)?.name === 'TimeoutError') return 'timeout';
  if (/ECONNREFUSED|UND_ERR_CONNECT_TIMEOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(codes)) return 'connect';
  return 'no-response';
}
