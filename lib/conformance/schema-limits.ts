/**
 * The size limits of Keystone Zed's request bodies, one row per limit, each with where it comes
 * from. Read from Debian's keystone 2:22.0.2 (Zed) as installed in the gate's image
 * (/usr/lib/python3/dist-packages/keystone). Two mechanisms enforce them, both answering 400:
 *   - the JSON schema (`maxLength`/`maxItems`): keystone/common/validation raises ValidationError;
 *   - the column width where the schema has none or a wider one: keystone/common/sql/core.py
 *     initialize_decorator raises StringLengthExceeded (a ValidationError, 400) when a model is
 *     built with a string longer than its String(n) column. Unlimited fields (`description` is
 *     `{'type': 'string'}` stored in Text, extras in a JSON blob) have no row.
 * The bad-input matrix (bad-input-matrix.ts) probes every row of a route: the value at `max` is
 * accepted and read back unchanged, the value one past it refused with 400.
 */

export interface SchemaLimit {
  /** The write routes (`METHOD template`) whose body carries the field. */
  routes: string[];
  /** The member of the entity (`project.name`: `name`). */
  field: string;
  /** `chars`: a string of max characters; `items`: a list of max items; `item-chars`: one item of max characters. */
  unit: 'chars' | 'items' | 'item-chars';
  max: number;
  /** How the value is built: a plain string, or a URL (parameter_types.url requires a scheme). */
  kind?: 'url';
  /** File and symbol in Zed's keystone package that set the limit. */
  source: string;
}

export const SCHEMA_LIMITS: readonly SchemaLimit[] = [
  // keystone/resource/schema.py: project and domain names are 64, not parameter_types.name's 255.
  { routes: ['POST /v3/projects', 'PATCH /v3/projects/{project_id}'], field: 'name', unit: 'chars', max: 64, source: 'keystone/resource/schema.py _name_properties (maxLength 64; project.name String(64))' },
  { routes: ['POST /v3/projects', 'PATCH /v3/projects/{project_id}', 'PUT /v3/projects/{project_id}/tags'], field: 'tags', unit: 'item-chars', max: 255, source: "keystone/resource/schema.py _project_tag_name_properties (maxLength 255, pattern '^[^,/]*$')" },
  { routes: ['POST /v3/projects', 'PATCH /v3/projects/{project_id}', 'PUT /v3/projects/{project_id}/tags'], field: 'tags', unit: 'items', max: 80, source: 'keystone/resource/schema.py _project_tags_list_properties (maxItems 80)' },
  { routes: ['POST /v3/domains', 'PATCH /v3/domains/{domain_id}'], field: 'name', unit: 'chars', max: 64, source: 'keystone/resource/schema.py _name_properties (maxLength 64), domain_create/domain_update' },
  { routes: ['POST /v3/users', 'PATCH /v3/users/{user_id}'], field: 'name', unit: 'chars', max: 255, source: 'keystone/identity/schema.py _identity_name (maxLength 255; local_user.name String(255))' },
  // The schema allows 255, the column 64: the column wins (StringLengthExceeded) on create and update.
  { routes: ['POST /v3/groups', 'PATCH /v3/groups/{group_id}'], field: 'name', unit: 'chars', max: 64, source: 'keystone/identity/backends/sql_model.py Group.name String(64) (keystone/identity/schema.py _identity_name allows 255)' },
  { routes: ['POST /v3/roles', 'PATCH /v3/roles/{role_id}'], field: 'name', unit: 'chars', max: 255, source: 'keystone/assignment/schema.py _role_properties name: keystone/common/validation/parameter_types.py name (maxLength 255)' },
  { routes: ['POST /v3/roles', 'PATCH /v3/roles/{role_id}'], field: 'description', unit: 'chars', max: 255, source: 'keystone/assignment/role_backends/sql_model.py RoleTable.description String(255) (the schema has no maxLength)' },
  { routes: ['POST /v3/regions'], field: 'id', unit: 'chars', max: 255, source: "keystone/catalog/backends/sql.py Region.id String(255) (keystone/catalog/schema.py region id: {'type': 'string'})" },
  { routes: ['POST /v3/regions', 'PATCH /v3/regions/{region_id}'], field: 'description', unit: 'chars', max: 255, source: 'keystone/catalog/backends/sql.py Region.description String(255) (the schema has no maxLength)' },
  { routes: ['POST /v3/services', 'PATCH /v3/services/{service_id}'], field: 'type', unit: 'chars', max: 255, source: 'keystone/catalog/schema.py _service_properties_type (maxLength 255)' },
  { routes: ['POST /v3/services', 'PATCH /v3/services/{service_id}'], field: 'name', unit: 'chars', max: 255, source: 'keystone/catalog/schema.py _service_properties name: keystone/common/validation/parameter_types.py name (maxLength 255)' },
  { routes: ['POST /v3/endpoints', 'PATCH /v3/endpoints/{endpoint_id}'], field: 'url', unit: 'chars', max: 225, kind: 'url', source: 'keystone/common/validation/parameter_types.py url (maxLength 225)' },
  { routes: ['POST /v3/policies', 'PATCH /v3/policies/{policy_id}'], field: 'type', unit: 'chars', max: 255, source: 'keystone/policy/schema.py _policy_properties type (maxLength 255)' },
  { routes: ['POST /v3/OS-EP-FILTER/endpoint_groups', 'PATCH /v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}'], field: 'name', unit: 'chars', max: 255, source: 'keystone/catalog/schema.py _endpoint_group_properties name: keystone/common/validation/parameter_types.py name (maxLength 255)' },
  { routes: ['POST /v3/users/{user_id}/application_credentials'], field: 'name', unit: 'chars', max: 255, source: 'keystone/application_credential/schema.py name: keystone/common/validation/parameter_types.py name (maxLength 255; application_credential.name String(255))' },
];

/** The limits of one route (`POST`, `/v3/projects`). */
export function limitsFor(method: string, template: string): SchemaLimit[] {
  const route = `${method} ${template}`;
  return SCHEMA_LIMITS.filter((l) => l.routes.includes(route));
}

/**
 * The limits of a route in groups whose fields differ, so one write can carry every value of a
 * group at its limit (one create, one read-back, one delete per group instead of per limit).
 * Limits on the same field (tags: 255 characters, 80 items) land in different groups.
 */
export function boundaryGroups(limits: readonly SchemaLimit[]): SchemaLimit[][] {
  const groups: SchemaLimit[][] = [];
  for (const l of limits) {
    const g = groups.find((x) => !x.some((y) => y.field === l.field));
    if (g) g.push(l); else groups.push([l]);
  }
  return groups;
}

/** A string of exactly n characters starting with `base` (cut when base is longer). */
const padTo = (base: string, n: number): string => (base.length >= n ? base.slice(0, n) : base + 'x'.repeat(n - base.length));

/**
 * The probe value at the limit (`over` 0) or one past it (`over` 1). `base` keeps values unique
 * (a factory name): names must not collide with the other writes of the same test.
 */
export function boundaryValue(limit: SchemaLimit, base: string, over: 0 | 1): unknown {
  const n = limit.max + over;
  if (limit.unit === 'items') return Array.from({ length: n }, (_, i) => `${base}-${i}`);
  if (limit.unit === 'item-chars') return [padTo(base, n)];
  if (limit.kind === 'url') return padTo(`https://${base}.example.test/`, n);
  return padTo(base, n);
}

/** A short name of the probe for step titles and known-defect cases: `boundary:name=65`. */
export const boundaryShape = (limit: SchemaLimit, over: 0 | 1): string =>
  `boundary:${limit.field}${limit.unit === 'items' ? '#items' : limit.unit === 'item-chars' ? '[]' : ''}=${limit.max + over}`;
