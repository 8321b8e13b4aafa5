/**
 * Secret masking for everything that leaves the process (logs, Allure attachments, reports):
 * passwords, tokens, credential blobs, application-credential secrets, EC2 keys.
 */
const SECRET_KEY = /pass(word)?|secret|token|^key$|_key$|^blob$|^signature$|^access$|credential_key/i;
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
/** Registers a literal secret (e.g. the admin password) so free text can be scrubbed too. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) registered.add(secret);
}

/** Scrubs registered secrets and fernet-token-looking strings from free text (log lines, errors). */
export function maskText(text: string): string {
  let out = text;
  for (const s of registered) out = out.split(s).join(MASK);
  // Fernet tokens: gAAAAA... base64url, long.
  return out.replace(/gAAAAA[A-Za-z0-9_\-=]{40,}/g, MASK);
}

/** JSON text of a body with secrets masked; non-JSON text is scrubbed. */
export function maskBody(body: unknown): string {
  if (typeof body === 'string') return maskText(body);
  return maskText(JSON.stringify(maskSecrets(body), null, 2) ?? '');
}
