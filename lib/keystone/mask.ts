import { recordRunSecret } from './run-secrets.js';

/**
 * Secret masking for everything that leaves the process (logs, Allure attachments, reports,
 * assertion messages): passwords, tokens, credential blobs, application-credential secrets, EC2
 * keys, OAuth1 token secrets and verifiers, JWS tokens.
 */
const SECRET_KEY = /pass(word)?|secret|token|verifier|signature|assertion|^key$|_key$|^blob$|^access$|credential_key/i;
// `key=value` (form-encoded bodies, query strings) and `"key": "value"` (JSON that did not parse,
// e.g. cut short in a log line) in free text; the value is masked when the key is a secret's.
const TEXT_PAIR = /([A-Za-z0-9_.-]+)=([^&\s"',;]*)/g;
const TEXT_JSON_PAIR = /"([A-Za-z0-9_.-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
// `'key': 'value'`: Python's repr of a dict, as Keystone logs SQL parameters with a database error
// (an injected conflict logged an OAuth1 consumer's secret that way).
const TEXT_PY_PAIR = /'([A-Za-z0-9_.-]+)'\s*:\s*'((?:[^'\\]|\\.)*)'/g;
// A JWS (JWT) compact serialisation: base64url header (JSON, so "eyJ"), payload, signature.
const JWS = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SECRET_HEADER = /^(x-auth-token|x-subject-token|authorization|x-service-token)$/i;
const MASK = '***';

export function maskValue(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) return MASK;
  return maskSecrets(value);
}

/** Deep copy of a JSON value with every secret-looking field replaced. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskValue(k, v);
    return out;
  }
  return value;
}

export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADER.test(k) ? MASK : Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const registered = new Set<string>();
/**
 * Registers a literal secret the run created or was given (a password, an application
 * credential or OAuth1 secret) so free text is scrubbed of it too, and records it for the
 * end-of-run canary (reports/secret-canary.ts), which fails the run if it shows up in a report.
 */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4 || registered.has(secret)) return;
  registered.add(secret);
  recordRunSecret(secret);
}

/**
 * Scrubs free text (log lines, errors, non-JSON bodies): registered secrets, fernet and JWS
 * tokens, and the values of secret keys in form-encoded or JSON-looking pairs.
 */
export function maskText(text: string): string {
  let out = text;
  for (const s of registered) out = out.split(s).join(MASK);
  out = out.replace(TEXT_PAIR, (all, key: string) => (SECRET_KEY.test(key) ? `${key}=${MASK}` : all));
  out = out.replace(TEXT_JSON_PAIR, (all, key: string) => (SECRET_KEY.test(key) ? `"${key}": "${MASK}"` : all));
  out = out.replace(TEXT_PY_PAIR, (all, key: string) => (SECRET_KEY.test(key) ? `'${key}': '${MASK}'` : all));
  out = out.replace(JWS, MASK);
  // Fernet tokens: gAAAAA... base64url, long.
  return out.replace(/gAAAAA[A-Za-z0-9_\-=]{40,}/g, MASK);
}

/** Text of a body with secrets masked: JSON by key (also when it arrives as a string), anything else scrubbed. */
export function maskBody(body: unknown): string {
  if (typeof body === 'string') {
    const parsed = parseJson(body);
    return maskText(parsed === undefined ? body : JSON.stringify(maskSecrets(parsed), null, 2));
  }
  return maskText(JSON.stringify(maskSecrets(body), null, 2) ?? '');
}

/**
 * A response body as it may appear in an assertion or error message: masked and cut short.
 * Every message that shows a body goes through here, never through JSON.stringify.
 */
export function bodyForMessage(body: unknown, max = 300): string {
  return maskBody(body).slice(0, max);
}

function parseJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}
