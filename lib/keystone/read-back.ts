import { createMatcher } from '../coverage/path-template.js';
import { OPERATIONS } from '../coverage/operations.js';
import { maskText, maskValue } from './mask.js';

/*
 * Independent read-back of writes (issue #11, DESIGN §10): after a successful write, the stored
 * state is read on another connection (and, where the deployment has one, another API node) and
 * every written field is compared with what Keystone gives back. A Keystone that answers a write
 * with the new value but stores the old one, or serves a stale copy from a per-process cache,
 * fails here. This module is pure: it plans the reads and judges what they returned; the fixture
 * (fixtures/read-back.ts) makes the requests.
 */

/** One successful write as the client made it. `path` is the api path (`/v3/...`), query included. */
export interface WriteRecord {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  status: number;
  /** The JSON request body as sent (not masked: the comparison needs the real values). */
  requestBody?: unknown;
  responseBody?: unknown;
}

export type ReadPlan =
  | { kind: 'entity'; getPath: string; entityKey: string; written: Record<string, unknown>; id?: string; list?: ListFilter }
  | { kind: 'deleted'; getPath: string }
  /** A DELETE that empties a list resource (`DELETE /v3/projects/{id}/tags`): the list stays, empty. */
  | { kind: 'cleared'; getPath: string; listKey: string }
  /** A bodiless PUT (grant, association, implied role): the relation must now exist. */
  | { kind: 'exists'; getPath: string }
  | { kind: 'none'; reason: string };

/** A mismatch between what was written and what a read gave back. */
export interface ReadBackMismatch {
  /** `PATCH /v3/endpoints/abc`. */
  write: string;
  /** Where the stored value was read (`GET /v3/endpoints/abc` on the reader). */
  read: string;
  field: string;
  written: string;
  stored: string;
}

/*
 * Fields never compared, each with its reason. Anything not listed here is compared exactly
 * (objects: every written key; arrays: in order unless listed in SET_FIELDS; timestamps: as instants).
 */
export const WRITE_ONLY_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  password: 'write-only: Keystone stores a hash and never returns it (users, domain-config ldap.password: a sensitive option GET hides)',
  original_password: 'write-only: the old password of a self-service change, checked and discarded',
  secret: 'write-only: an application credential secret is returned once by the create, never by a GET',
  allow_redelegation: 'write-only: keystone/trust/core.py create_trust pops it and stores redelegation_count instead (0 when false), which is compared when written; a GET of a non-redelegatable trust omits it',
});

/** Arrays Keystone treats as sets: stored order is not the written order, so they compare as multisets. */
export const SET_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  tags: 'project tags are a set (stored in their own table, listed in table order)',
  roles: 'trust and application-credential roles are a set of role references (written by name or id, stored with both)',
  access_rules: 'application-credential access rules are a set (each stored once, shared by id)',
  remote_ids: 'identity-provider remote ids are a set (their own table)',
});

/** Timestamps some resources store at whole seconds: the stored value must be the written one, or the written one truncated. */
export const SECOND_PRECISION_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  expires_at: 'trusts store expires_at without its fraction of a second (measured: .644Z written, .000000Z stored); application credentials keep it (.704Z written, .704000 stored, gate run 2026-12-03)',
});

/**
 * Resources whose schema accepts any member but whose driver stores only some: the others are
 * ignored by design (the api-ref documents only the stored ones), so only those are read back.
 */
export const STORED_MEMBERS_ONLY: ReadonlyArray<{ path: RegExp; members: readonly string[]; reason: string }> = Object.freeze([
  { path: /^\/v3\/OS-FEDERATION\/mappings\/[^/]+$/, members: ['rules', 'schema_version'], reason: 'keystone/federation/utils.py MAPPING_SCHEMA requires rules and allows any other member; the mapping driver stores rules (and schema_version) only' },
]);

/** DELETEs of a list resource: the list is emptied, not removed, so its GET answers 200 with []. */
export const CLEARING_DELETES: ReadonlyArray<{ path: RegExp; listKey: string; reason: string }> = Object.freeze([
  { path: /^\/v3\/projects\/[^/]+\/tags$/, listKey: 'tags', reason: 'DELETE /v3/projects/{id}/tags removes every tag; GET then lists none (api-ref: "Remove all tags from a project")' },
]);

/** Write paths that are actions, not stored resources: nothing to read back. */
export const NOT_RESOURCES: ReadonlyArray<{ path: RegExp; reason: string }> = Object.freeze([
  { path: /^\/v3\/auth\//, reason: 'authentication and token revocation: revocation is judged by the token tests with the subject token, on the reader' },
  { path: /^\/v3\/(ec2tokens|s3tokens)$/, reason: 'EC2/S3 signature authentication issues a token, stores nothing' },
  { path: /^\/v3\/users\/[^/]+\/password$/, reason: 'a password change is write-only; the password tests authenticate with the new one' },
  { path: /^\/v3\/OS-OAUTH1\/(request_token|access_token)$/, reason: 'OAuth1 token exchange (form-encoded, signed): the OAuth1 tests use the tokens' },
  { path: /^\/v3\/OS-OAUTH2\/token$/, reason: 'OAuth2 token issue (form-encoded): the OAuth2 test uses the token' },
]);

/**
 * Resources the reader (admin) may not read under Keystone's default policy: reading them back
 * would fail on the reader's rights, not on stored state. Each with the policy that says so.
 */
export const ADMIN_CANNOT_READ: ReadonlyArray<{ path: RegExp; reason: string; systemReaderOnly?: true }> = Object.freeze([
  { path: /^\/v3\/users\/[^/]+\/access_rules(\/|$)/, reason: 'identity:get_access_rule is the owner\'s alone in Zed (admin gets 403); the access-rules tests read them as the owner' },
  // Only when the reader is system-scoped (enforce_scope): a project-scoped admin reads them.
  { path: /^\/v3\/users\/[^/]+\/OS-OAUTH1\/access_tokens(\/|$)/, systemReaderOnly: true, reason: 'identity:get_access_token is rule:admin_required with scope_types [project] (access_token.py): under enforce_scope the system-scoped reader gets 403; the OAuth1 tests and RBAC cells read access tokens with a project-scoped admin' },
]);

/**
 * Lists that filter (api-ref query parameters): after a write of an entity of this collection,
 * the list filtered by the entity's stored values must contain it with the written fields.
 * Filters are taken from the stored entity; a filter whose value is missing is left out.
 */
export interface ListFilter { collection: string; collectionKey: string; filters: readonly string[] }
export const LIST_FILTERS: ReadonlyArray<ListFilter> = Object.freeze([
  { collection: '/v3/projects', collectionKey: 'projects', filters: ['name', 'domain_id'] },
  { collection: '/v3/users', collectionKey: 'users', filters: ['name', 'domain_id'] },
  { collection: '/v3/groups', collectionKey: 'groups', filters: ['name', 'domain_id'] },
  { collection: '/v3/domains', collectionKey: 'domains', filters: ['name'] },
  // Without domain_id the list gives global roles only: a domain role needs its domain as filter.
  { collection: '/v3/roles', collectionKey: 'roles', filters: ['name', 'domain_id'] },
  { collection: '/v3/services', collectionKey: 'services', filters: ['type'] },
  { collection: '/v3/endpoints', collectionKey: 'endpoints', filters: ['service_id', 'interface', 'region_id'] },
  { collection: '/v3/credentials', collectionKey: 'credentials', filters: ['user_id', 'type'] },
  { collection: '/v3/policies', collectionKey: 'policies', filters: ['type'] },
]);

const operations = createMatcher(OPERATIONS.filter((op) => op.method === 'GET'));
const hasGet = (path: string) => operations.resolve('GET', path).kind === 'matched';

function stripQuery(path: string): string {
  return path.split(/[?#]/, 1)[0]!.replace(/\/+$/, '');
}

/** The single entity object of a Keystone JSON body (`{"project": {...}}`, links ignored), if any. */
export function entityOf(body: unknown): { key: string; value: Record<string, unknown> } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>).filter(([k]) => k !== 'links');
  if (entries.length !== 1) return undefined;
  const [key, value] = entries[0]!;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return { key, value: value as Record<string, unknown> };
}

/** `{"tags": ["a", "b"]}`: a whole list replaced by a PUT. */
function listReplacement(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>);
  return entries.length === 1 && Array.isArray(entries[0]![1]) ? body as Record<string, unknown> : undefined;
}

/**
 * Which reads a successful write calls for (pure: decided from the request and its answer, and
 * whether the reader is on a system-scoped token, as it is under enforce_scope).
 */
export function planReadBack(w: WriteRecord, reader: { systemScoped?: boolean } = {}): ReadPlan {
  if (w.status < 200 || w.status >= 300) return { kind: 'none', reason: `not a successful write (${w.status})` };
  const path = stripQuery(w.path);
  const action = NOT_RESOURCES.find((n) => n.path.test(path));
  if (action) return { kind: 'none', reason: action.reason };
  const unreadable = ADMIN_CANNOT_READ.find((n) => n.path.test(path) && (!n.systemReaderOnly || reader.systemScoped));
  if (unreadable) return { kind: 'none', reason: unreadable.reason };
  const clearing = w.method === 'DELETE' ? CLEARING_DELETES.find((c) => c.path.test(path)) : undefined;
  if (clearing) return { kind: 'cleared', getPath: path, listKey: clearing.listKey };
  if (w.method === 'DELETE') {
    return hasGet(path) ? { kind: 'deleted', getPath: path } : { kind: 'none', reason: 'the api-ref documents no GET for this path' };
  }
  if (w.method === 'PUT' && (w.requestBody === undefined || w.requestBody === null)) {
    return hasGet(path) ? { kind: 'exists', getPath: path } : { kind: 'none', reason: 'a bodiless PUT whose api-ref check is HEAD only' };
  }
  const replaced = listReplacement(w.requestBody);
  if (w.method === 'PUT' && replaced) {
    // `PUT /v3/projects/{id}/tags {"tags": [...]}`: the stored list is the GET's whole body.
    return hasGet(path) ? { kind: 'entity', getPath: path, entityKey: '', written: replaced } : { kind: 'none', reason: `the api-ref documents no GET ${path}` };
  }
  const written = entityOf(w.requestBody);
  if (!written) return { kind: 'none', reason: 'no JSON entity body written (e.g. a batch create)' };
  let getPath = path;
  let id: string | undefined;
  if (w.method === 'POST') {
    const answered = entityOf(w.responseBody);
    id = typeof answered?.value.id === 'string' ? answered.value.id : undefined;
    if (!id) return { kind: 'none', reason: 'the create answered no entity id' };
    getPath = `${path}/${encodeURIComponent(id)}`;
  } else {
    const answered = entityOf(w.responseBody);
    if (typeof answered?.value.id === 'string') id = answered.value.id;
  }
  if (!hasGet(getPath)) return { kind: 'none', reason: `the api-ref documents no GET ${getPath}` };
  const storedOnly = STORED_MEMBERS_ONLY.find((m) => m.path.test(getPath));
  const compared = storedOnly ? Object.fromEntries(Object.entries(written.value).filter(([k]) => storedOnly.members.includes(k))) : written.value;
  const collection = w.method === 'POST' ? path : getPath.replace(/\/[^/]+$/, '');
  const list = id ? LIST_FILTERS.find((l) => l.collection === collection) : undefined;
  return { kind: 'entity', getPath, entityKey: written.key, written: compared, id, list };
}

/** The query of the filtered list, from the entity as stored (filters with no stored value are left out). */
export function listQuery(list: ListFilter, stored: Record<string, unknown>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const f of list.filters) {
    const v = stored[f];
    if (typeof v === 'string' && v !== '') q[f] = v;
  }
  return q;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * True when `stored` holds what was written in `written`. Objects: every written key, recursively
 * (Keystone adds ids, links, defaults). Arrays: same length, element by element in order, or as a
 * multiset for SET_FIELDS. A written null matches a missing or null stored value (Keystone drops
 * null extra attributes). Timestamps compare as instants (Keystone adds microseconds).
 */
export function storedMatches(written: unknown, stored: unknown, field = ''): boolean {
  if (written === null) return stored === null || stored === undefined;
  if (typeof written === 'string' && typeof stored === 'string' && written !== stored && ISO_INSTANT.test(written) && ISO_INSTANT.test(stored)) {
    const a = Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(written) ? written : `${written}Z`);
    const b = Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(stored) ? stored : `${stored}Z`);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    return a === b || (Object.hasOwn(SECOND_PRECISION_FIELDS, field) && Math.floor(a / 1000) * 1000 === b);
  }
  if (Array.isArray(written)) {
    if (!Array.isArray(stored) || stored.length !== written.length) return false;
    if (!Object.hasOwn(SET_FIELDS, field)) return written.every((w, i) => storedMatches(w, stored[i], field));
    const left = [...stored];
    return written.every((w) => {
      const i = left.findIndex((s) => storedMatches(w, s, field));
      if (i < 0) return false;
      left.splice(i, 1);
      return true;
    });
  }
  if (written && typeof written === 'object') {
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return false;
    return Object.entries(written as Record<string, unknown>).every(([k, v]) =>
      Object.hasOwn(WRITE_ONLY_FIELDS, k) || storedMatches(v, (stored as Record<string, unknown>)[k], k));
  }
  return written === stored;
}

function shown(field: string, value: unknown): string {
  if (value === undefined) return '(missing)';
  const leaf = field.split('.').at(-1) ?? field;
  return maskText(JSON.stringify(maskValue(leaf, value))).slice(0, 200);
}

/**
 * Every written top-level field (nested objects named by dotted path) whose stored value differs.
 * `stored` undefined means the read found no entity at all.
 */
export function compareWritten(written: Record<string, unknown>, stored: Record<string, unknown> | undefined, where: { write: string; read: string }): ReadBackMismatch[] {
  if (!stored) return [{ ...where, field: '(entity)', written: 'an entity', stored: '(not found)' }];
  const out: ReadBackMismatch[] = [];
  const walk = (w: Record<string, unknown>, s: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(w)) {
      if (Object.hasOwn(WRITE_ONLY_FIELDS, k)) continue;
      const name = prefix ? `${prefix}.${k}` : k;
      const sv = s?.[k];
      if (v && typeof v === 'object' && !Array.isArray(v) && sv && typeof sv === 'object' && !Array.isArray(sv)) {
        walk(v as Record<string, unknown>, sv as Record<string, unknown>, name);
      } else if (!storedMatches(v, sv, k)) {
        out.push({ ...where, field: name, written: shown(name, v), stored: shown(name, sv) });
      }
    }
  };
  walk(written, stored, '');
  return out;
}

/** After a successful DELETE the resource must be gone: anything but 404 is a mismatch. */
export function judgeDeleted(write: string, read: string, status: number): ReadBackMismatch[] {
  if (status === 404) return [];
  return [{ write, read, field: '(existence)', written: 'deleted', stored: status >= 200 && status < 300 ? `still there (GET answered ${status})` : `GET answered ${status}, not 404` }];
}

/** After a DELETE that empties a list resource, its GET answers 200 with an empty list. */
export function judgeCleared(write: string, read: string, status: number, body: unknown, listKey: string): ReadBackMismatch[] {
  const list = (body as Record<string, unknown> | null)?.[listKey];
  if (status === 200 && Array.isArray(list) && list.length === 0) return [];
  return [{ write, read, field: listKey, written: '[] (cleared)', stored: status !== 200 ? `GET answered ${status}` : shown(listKey, list) }];
}

/** After a successful bodiless PUT the relation must exist: a GET that is not 2xx is a mismatch. */
export function judgeExists(write: string, read: string, status: number): ReadBackMismatch[] {
  return status >= 200 && status < 300 ? [] : [{ write, read, field: '(existence)', written: 'created', stored: `not there (GET answered ${status})` }];
}

/** The filtered list must contain the entity (by id) with every written field. */
export function judgeListed(written: Record<string, unknown>, id: string, listBody: unknown, collectionKey: string, where: { write: string; read: string }): ReadBackMismatch[] {
  const items = (listBody as Record<string, unknown> | null)?.[collectionKey];
  if (!Array.isArray(items)) return [{ ...where, field: `(${collectionKey} list)`, written: 'a list', stored: '(no list in the answer)' }];
  const item = items.find((x) => (x as { id?: unknown })?.id === id) as Record<string, unknown> | undefined;
  if (!item) return [{ ...where, field: '(membership)', written: `${collectionKey} entry ${id}`, stored: `not in the filtered list (${items.length} entries)` }];
  return compareWritten(written, item, where);
}

export function describeMismatches(ms: readonly ReadBackMismatch[]): string {
  return ms.map((m) => `read-back: ${m.write}: ${m.read} gave ${m.field} = ${m.stored}, written ${m.written}`).join('\n');
}

/** Thrown by the read-back after a write: the test fails as `contract`. */
export class ReadBackError extends Error {
  constructor(readonly mismatches: readonly ReadBackMismatch[]) {
    super(describeMismatches(mismatches));
    this.name = 'ReadBackError';
  }
}
