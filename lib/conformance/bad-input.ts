/**
 * Malformed request bodies for every write operation. How the answers are judged (400 with
 * Keystone's error body; 401/404 only where the route kind allows) is bad-input-judgement.ts;
 * the matrix that sends them after a positive control and boundary probes is bad-input-matrix.ts.
 */
export interface BadInput {
  /** Stable key, part of the test id. */
  shape: string;
  /** Either a raw body (sent verbatim) or a JSON value. */
  raw?: string | Buffer;
  json?: unknown;
  contentType?: string;
}

export interface BadInputSpec {
  /** Top-level member key ("project", "user", ...), or null when the body has none. */
  memberKey: string | null;
  /** A valid entity body, used as the base for the mutations. */
  valid: Record<string, unknown>;
  /** A required field to remove (omit when the operation has none). */
  required?: string;
  /** A string field with a bounded column (name: 64 or 255 chars). */
  longField?: string;
  /** A field to give the wrong JSON type. */
  typedField?: string;
}

const wrap = (key: string | null, entity: unknown): unknown => (key ? { [key]: entity } : entity);

/** At least the six shapes of the contract, plus odd unicode and invalid UTF-8 where a string field exists. */
export function badInputs(spec: BadInputSpec): BadInput[] {
  const { memberKey: k, valid } = spec;
  const out: BadInput[] = [
    { shape: 'not-json', raw: '{"this is": not json', contentType: 'application/json' },
    { shape: 'null-body', json: k ? { [k]: null } : null },
    { shape: 'unexpected-property', json: wrap(k, { ...valid, gate_unexpected_property: 'x' }) },
    { shape: 'array-instead-of-object', json: wrap(k, [valid]) },
  ];
  if (spec.required) {
    const { [spec.required]: _omitted, ...rest } = valid;
    out.push({ shape: 'missing-required', json: wrap(k, rest) });
  } else {
    out.push({ shape: 'missing-body', json: k ? {} : {} });
  }
  const typed = spec.typedField ?? spec.required ?? Object.keys(valid)[0];
  if (typed) out.push({ shape: 'wrong-type', json: wrap(k, { ...valid, [typed]: { nested: ['wrong', 'type'] } }) });
  if (spec.longField) {
    out.push({ shape: 'too-long', json: wrap(k, { ...valid, [spec.longField]: 'x'.repeat(300) }) });
    out.push({ shape: 'odd-unicode', json: wrap(k, { ...valid, [spec.longField]: 'gate-\u0000-\uD800-\u202E-\uFFFF' }) });
    const prefix = Buffer.from(JSON.stringify(wrap(k, { ...valid, [spec.longField]: '@@' })).split('@@')[0]!);
    const suffix = Buffer.from(JSON.stringify(wrap(k, { ...valid, [spec.longField]: '@@' })).split('@@')[1]!);
    out.push({ shape: 'invalid-utf8', raw: Buffer.concat([prefix, Buffer.from([0xc3, 0x28, 0xff, 0xfe]), suffix]), contentType: 'application/json' });
  }
  return out;
}

/** A malformed id for one path segment of a body-less write (grants, associations). */
export interface BadPathId {
  /** Stable key, part of the check's description. */
  shape: string;
  /** The segment as sent: already percent-encoded, so it stays one segment (or deliberately not). */
  segment: string;
  /**
   * The encoded slash splits the segment, so no route matches: werkzeug's router answers its own
   * 404 page, not Keystone's JSON error, and the request never reaches Keystone's code.
   */
  unrouted?: true;
}

/**
 * Ids Keystone must answer with a 4xx wherever they stand in a path: path characters (an encoded
 * slash, a `..` segment, `;?#\` and a space), a NUL, odd unicode (U+202E, U+FFFF and the UTF-8 bytes
 * of a lone surrogate, which werkzeug decodes as U+FFFD) and an id longer than any id column.
 */
export function badPathIds(): BadPathId[] {
  return [
    { shape: 'encoded-slash', segment: 'ksgate%2Fid', unrouted: true },
    { shape: 'dot-segment', segment: '%2E%2E' },
    { shape: 'path-characters', segment: 'ksgate%3Bid%3Fx%3D1%23y%5Cz%20' },
    { shape: 'nul', segment: 'ksgate%00id' },
    { shape: 'odd-unicode', segment: 'ksgate-%E2%80%AE-%EF%BF%BF-%ED%A0%80' },
    { shape: 'too-long', segment: 'x'.repeat(300) },
  ];
}
