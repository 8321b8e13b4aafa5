import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport, { type FormatsPlugin } from 'ajv-formats';
import { KS_DATETIME, type JsonSchema } from './common.js';

// ajv-formats is CommonJS: under NodeNext the default import is module.exports, whose
// `.default` is the plugin; at runtime either may be what arrives.
const addFormats: FormatsPlugin =
  (addFormatsImport as unknown as { default?: FormatsPlugin }).default ?? (addFormatsImport as unknown as FormatsPlugin);

const KS_DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$/;

function createAjv(): Ajv {
  // allErrors: a failing body should show every deviation at once, not the first.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addFormat(KS_DATETIME, { type: 'string', validate: (s: string) => KS_DATETIME_RE.test(s) && !Number.isNaN(Date.parse(s)) });
  return ajv;
}

let ajv: Ajv | undefined;
// Keyed by schema object identity: the schemas are module constants, compiled once per process.
const cache = new WeakMap<object, ValidateFunction>();

function compiled(schema: JsonSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    ajv ??= createAjv();
    fn = ajv.compile(schema as Record<string, unknown>);
    cache.set(schema, fn);
  }
  return fn;
}

export type SchemaError = ErrorObject;

/** Returns ajv's errors for `body` (empty when it conforms). */
export function validateSchema(schema: JsonSchema, body: unknown): SchemaError[] {
  const fn = compiled(schema);
  return fn(body) ? [] : [...(fn.errors ?? [])];
}

export function formatSchemaErrors(errors: readonly SchemaError[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath || '(root)';
      const extra =
        e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})`
        : e.keyword === 'enum' ? ` (allowed: ${JSON.stringify(e.params['allowedValues'])})`
        : '';
      return `${where} ${e.message ?? e.keyword}${extra}`;
    })
    .join('; ');
}

/** Throws an Error listing every schema violation of `body`. */
export function assertSchema(schema: JsonSchema, body: unknown, label = 'response body'): void {
  const errors = validateSchema(schema, body);
  if (errors.length) {
    const err = new Error(`${label} does not match its schema: ${formatSchemaErrors(errors)}`);
    (err as Error & { schemaErrors: SchemaError[] }).schemaErrors = errors;
    throw err;
  }
}
