/**
 * Rally task files in: the load project runs the workloads of a Rally task file
 * (`KS_RALLY_TASK=task.yaml|json`) instead of its default set. Both of Rally's input formats are
 * read: v1 (`{KeystoneBasic.create_user: [{args, runner, context, sla}]}`) and v2
 * (`{version: 2, subtasks: [{title, workloads: [{scenario, runner, contexts, sla}]}]}` or a
 * subtask that is itself one workload). Spelling is Rally's (runner `type`/`times`/`concurrency`/
 * `rps`/`duration`/`timeout`, context `users: {tenants, users_per_tenant}`, SLAs `failure_rate`,
 * `max_seconds_per_iteration`, `max_avg_duration`, `max_avg_duration_per_atomic`, `outliers`,
 * `performance_degradation`), so a Rally task ports unchanged.
 *
 * What this harness cannot honour is refused with one line naming the place and the key, never
 * ignored: scenarios other than KeystoneBasic, runners other than the three, contexts other than
 * `users`, hooks, scenario arguments the scenario here does not take, and Jinja templates (render
 * them first). Validation is JSON Schema (ajv), one schema per part, so the message points at the
 * part that is wrong.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { DEFAULT_ARGS, KEYSTONE_BASIC, keystoneBasic, type KeystoneBasicArgs, type KeystoneBasicScenario } from './keystone-scenarios.js';
import type { SlaConfig } from './sla.js';

export type RallyRunner =
  | { type: 'constant'; times: number; concurrency: number; timeout?: number }
  | { type: 'constant_for_duration'; duration: number; concurrency: number; timeout?: number }
  | { type: 'rps'; times: number; rps: number; max_concurrency?: number; timeout?: number };

/** One workload to run, in this harness's terms and as Rally spelled it (for the results export). */
export interface LoadWorkload {
  /** Unique within the task: `KeystoneBasic.create_user` or, when a scenario repeats, `KeystoneBasic.create_user #2`. */
  key: string;
  /** 0-based position in the task (Rally's workload `position`). */
  position: number;
  /** Title of the v2 subtask it belongs to (v1: the scenario name). */
  subtask: string;
  description: string;
  scenario: KeystoneBasicScenario;
  args: KeystoneBasicArgs;
  runner: RallyRunner;
  /** Rally's users context: made before the run, removed after. */
  users?: { tenants: number; usersPerTenant: number };
  sla: SlaConfig;
  /** As Rally spells it: scenario args, runner (without `type`), contexts, sla. */
  rally: { args: Record<string, unknown>; runnerType: RallyRunner['type'] | 'serial'; runner: Record<string, unknown>; contexts: Record<string, unknown>; sla: Record<string, unknown> };
}

export class RallyTaskError extends Error {
  constructor(message: string) { super(message); this.name = 'RallyTaskError'; }
}

const SCENARIOS = KEYSTONE_BASIC.map((s) => s.name);
const int1 = { type: 'integer', minimum: 1 } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;

const RUNNER_SCHEMAS: Record<RallyRunner['type'], object> = {
  constant: { type: 'object', additionalProperties: false, properties: { type: { const: 'constant' }, times: int1, concurrency: int1, timeout: positive } },
  constant_for_duration: {
    type: 'object', additionalProperties: false, required: ['duration'],
    properties: { type: { const: 'constant_for_duration' }, duration: { type: 'number', minimum: 0 }, concurrency: int1, timeout: positive },
  },
  // Rally also takes rps as {start, end, step, duration} (an increasing rate): not supported here.
  rps: { type: 'object', additionalProperties: false, required: ['rps'], properties: { type: { const: 'rps' }, times: int1, rps: positive, max_concurrency: int1, timeout: positive } },
};

const SLA_SCHEMA = {
  type: 'object', additionalProperties: false,
  properties: {
    failure_rate: { type: 'object', additionalProperties: false, properties: { min: { type: 'number', minimum: 0, maximum: 100 }, max: { type: 'number', minimum: 0, maximum: 100 } } },
    max_seconds_per_iteration: positive,
    max_avg_duration: positive,
    max_avg_duration_per_atomic: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
    outliers: { type: 'object', additionalProperties: false, properties: { max: { type: 'integer', minimum: 0 }, min_iterations: { type: 'integer', minimum: 3 }, sigmas: positive } },
    performance_degradation: { type: 'object', additionalProperties: false, required: ['max_degradation'], properties: { max_degradation: { type: 'number', minimum: 0 } } },
  },
} as const;

const CONTEXT_SCHEMA = {
  type: 'object', additionalProperties: false,
  properties: { users: { type: 'object', additionalProperties: false, properties: { tenants: int1, users_per_tenant: int1 } } },
} as const;

/**
 * Scenario arguments, as Rally's KeystoneBasic methods name them, that the scenarios here take.
 * Any other argument (Rally passes `**kwargs` on to its client) is refused rather than dropped.
 */
const ARG_PROPERTIES: Record<string, Record<string, object>> = {
  'KeystoneBasic.create_tenant_with_users': { users_per_tenant: int1 },
  'KeystoneBasic.create_user_set_enabled_and_delete': { enabled: { type: 'boolean' } },
  'KeystoneBasic.get_entities': { service_name: { type: ['string', 'null'] } },
  'KeystoneBasic.create_and_update_user': { create_user_kwargs: { type: 'object', maxProperties: 0 }, update_user_kwargs: { type: 'object' } },
};

const WORKLOAD_V1 = {
  type: 'object', additionalProperties: false,
  properties: { args: { type: 'object' }, runner: { type: 'object', required: ['type'], properties: { type: { enum: Object.keys(RUNNER_SCHEMAS) } } }, context: { type: 'object' }, sla: { type: 'object' }, description: { type: 'string' } },
} as const;

const TASK_V1 = {
  type: 'object', minProperties: 1,
  propertyNames: { enum: SCENARIOS },
  additionalProperties: { type: 'array', minItems: 1, items: WORKLOAD_V1 },
} as const;

const WORKLOAD_V2_PROPS = {
  scenario: { type: 'object', minProperties: 1, maxProperties: 1, propertyNames: { enum: SCENARIOS }, additionalProperties: { type: 'object' } },
  runner: {
    type: 'object', minProperties: 1, maxProperties: 1, propertyNames: { enum: Object.keys(RUNNER_SCHEMAS) }, additionalProperties: { type: 'object' },
  },
  contexts: { type: 'object' }, sla: { type: 'object' }, description: { type: 'string' },
} as const;

const TASK_V2 = {
  // Rally requires a title on the task and on each subtask (rally/task/task_cfg.py, format v2).
  type: 'object', additionalProperties: false, required: ['version', 'title', 'subtasks'],
  properties: {
    version: { const: 2 }, title: { type: 'string' }, description: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } },
    subtasks: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['title'],
        properties: {
          ...WORKLOAD_V2_PROPS,
          title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } },
          workloads: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, required: ['scenario'], properties: WORKLOAD_V2_PROPS } },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const compiled = new Map<object, ValidateFunction>();
function check(schema: object, value: unknown, where: string, file: string): void {
  let v = compiled.get(schema);
  if (!v) { v = ajv.compile(schema); compiled.set(schema, v); }
  if (!v(value)) throw new RallyTaskError(`${file}: ${describe(v.errors![0]!, where, schema)}`);
}

/** One ajv error as one line: where, and what is wrong, with the known keys when a key is unknown. */
function describe(e: ErrorObject, where: string, schema: object): string {
  const at = `${where}${e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const props = Object.keys((resolve(schema, e.schemaPath) as { properties?: object }).properties ?? {});
    return `${at}: unknown key "${key}"${props.length ? ` (known here: ${props.join(', ')})` : ' (this takes no keys here)'}`;
  }
  if (e.keyword === 'enum' && e.propertyName !== undefined) {
    return `${at}: "${e.propertyName}" is not supported here (one of: ${(e.params as { allowedValues: string[] }).allowedValues.join(', ')})`;
  }
  if (e.keyword === 'propertyNames') return `${at}: ${e.message}`;
  if (e.keyword === 'enum') return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${at || where}: ${e.message}`;
}

function resolve(schema: object, schemaPath: string): unknown {
  let node: unknown = schema;
  for (const part of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) node = (node as Record<string, unknown>)[part];
  return node;
}

/** Reads and validates `file` (YAML or JSON); throws RallyTaskError with one line on anything it cannot honour. */
export function readRallyTask(file: string): LoadWorkload[] {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new RallyTaskError(`${file}: cannot read the task file (${(e as Error).message})`); }
  return parseRallyTask(text, file);
}

export function parseRallyTask(text: string, file = 'task'): LoadWorkload[] {
  if (/\{%|\{\{/.test(text)) throw new RallyTaskError(`${file}: Jinja template syntax ({% %} / {{ }}) is not supported: render the task first (rally task start --task-args ... does this in Rally)`);
  let doc: unknown;
  try { doc = parse(text); } catch (e) { throw new RallyTaskError(`${file}: not YAML/JSON: ${(e as Error).message.split('\n')[0]}`); }
  // runnerGiven: without a runner Rally runs `serial` (times 1); here that is constant, 1 x 1, spelled serial in the export.
  const raw: { where: string; subtask: string; scenario: string; args: unknown; runnerType: string; runnerGiven: boolean; runner: unknown; contexts: unknown; sla: unknown; description?: string }[] = [];
  if (doc && typeof doc === 'object' && 'version' in doc) {
    check(TASK_V2, doc, 'task', file);
    const task = doc as unknown as { subtasks: Array<Record<string, unknown> & { title?: string; workloads?: Record<string, unknown>[] }> };
    task.subtasks.forEach((st, i) => {
      const inline = ['scenario', 'runner', 'contexts', 'sla'].some((k) => k in st);
      if (inline && st.workloads) throw new RallyTaskError(`${file}: subtasks[${i}]: either "workloads" or one inline workload (scenario, runner, ...), not both`);
      if (!inline && !st.workloads) throw new RallyTaskError(`${file}: subtasks[${i}]: needs "workloads" or an inline "scenario"`);
      const ws = st.workloads ?? [st];
      ws.forEach((w, j) => {
        const where = st.workloads ? `subtasks[${i}].workloads[${j}]` : `subtasks[${i}]`;
        if (!w.scenario) throw new RallyTaskError(`${file}: ${where}: missing "scenario"`);
        const [scenario, args] = Object.entries(w.scenario as Record<string, unknown>)[0]!;
        const [runnerType, runner] = Object.entries((w.runner as Record<string, unknown> | undefined) ?? { constant: {} })[0]!;
        raw.push({ where, subtask: st.title!, scenario, args, runnerType, runnerGiven: !!w.runner, runner: { type: runnerType, ...(runner as object) }, contexts: w.contexts ?? {}, sla: w.sla, description: (w.description as string | undefined) ?? (st.description as string | undefined) });
      });
    });
  } else {
    check(TASK_V1, doc, 'task', file);
    for (const [scenario, workloads] of Object.entries(doc as Record<string, Record<string, unknown>[]>)) {
      workloads.forEach((w, j) => {
        const runner = (w.runner as { type?: string } | undefined) ?? { type: 'constant' };
        raw.push({ where: `${scenario}[${j}]`, subtask: scenario, scenario, args: w.args ?? {}, runnerType: runner.type ?? 'constant', runnerGiven: !!w.runner, runner, contexts: w.context ?? {}, sla: w.sla, description: w.description as string | undefined });
      });
    }
  }
  const seen = new Map<string, number>();
  return raw.map((r, position) => {
    const s = keystoneBasic(r.scenario);
    check({ type: 'object', additionalProperties: false, properties: ARG_PROPERTIES[s.name] ?? {} }, r.args, `${r.where}.args`, file);
    check(RUNNER_SCHEMAS[r.runnerType as RallyRunner['type']], r.runner, `${r.where}.runner`, file);
    check(CONTEXT_SCHEMA, r.contexts, `${r.where}.context`, file);
    check(SLA_SCHEMA, r.sla ?? {}, `${r.where}.sla`, file);
    const ctx = r.contexts as { users?: { tenants?: number; users_per_tenant?: number } };
    if (s.needsUsers && !ctx.users) throw new RallyTaskError(`${file}: ${r.where}: ${s.name} needs Rally's users context (context: {users: {tenants: 1, users_per_tenant: 2}})`);
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    // A workload without an `sla` key gets Rally's default (failure_rate max 0), as Rally's TaskConfig
    // sets it (setdefault: an explicit `sla: {}` stays empty there and here).
    const sla = (r.sla !== undefined ? r.sla : { failure_rate: { max: 0 } }) as Record<string, unknown>;
    const rallyRunner = { ...(r.runner as Record<string, unknown>) };
    delete rallyRunner.type;
    return {
      key: n === 1 ? s.name : `${s.name} #${n}`,
      position,
      subtask: r.subtask,
      description: r.description ?? s.description,
      scenario: s,
      args: scenarioArgs(s, r.args as Record<string, unknown>),
      runner: withRunnerDefaults(r.runner as RallyRunner),
      ...(ctx.users ? { users: { tenants: ctx.users.tenants ?? 1, usersPerTenant: ctx.users.users_per_tenant ?? 1 } } : {}),
      sla: sla as SlaConfig,
      rally: { args: r.args as Record<string, unknown>, runnerType: r.runnerGiven ? r.runnerType as RallyRunner['type'] : 'serial', runner: rallyRunner, contexts: r.contexts as Record<string, unknown>, sla },
    };
  });
}

/** Rally's runner defaults: times 1, concurrency 1. */
function withRunnerDefaults(r: RallyRunner): RallyRunner {
  if (r.type === 'constant') return { ...r, times: r.times ?? 1, concurrency: r.concurrency ?? 1 };
  if (r.type === 'constant_for_duration') return { ...r, concurrency: r.concurrency ?? 1 };
  return { ...r, times: r.times ?? 1 };
}

/** Rally's argument names to the scenario arguments here (lib/load/keystone-scenarios.ts). */
function scenarioArgs(s: KeystoneBasicScenario, a: Record<string, unknown>): KeystoneBasicArgs {
  const out = { ...DEFAULT_ARGS };
  if (typeof a.users_per_tenant === 'number') out.usersPerTenant = a.users_per_tenant;
  if (typeof a.enabled === 'boolean') out.enabled = a.enabled;
  if ('service_name' in a) out.serviceName = a.service_name as string | null;
  if (a.update_user_kwargs) out.updateUserFields = a.update_user_kwargs as Record<string, unknown>;
  return out;
}

/** Rally's argument names for the defaults here, so a default workload exports as Rally spells it. */
export function rallyArgsOf(s: KeystoneBasicScenario, a: KeystoneBasicArgs = DEFAULT_ARGS): Record<string, unknown> {
  switch (s.name) {
    case 'KeystoneBasic.create_tenant_with_users': return { users_per_tenant: a.usersPerTenant };
    case 'KeystoneBasic.create_user_set_enabled_and_delete': return { enabled: a.enabled };
    case 'KeystoneBasic.get_entities': return { service_name: a.serviceName };
    case 'KeystoneBasic.create_and_update_user': return { update_user_kwargs: a.updateUserFields };
    default: return {};
  }
}

/** The default workload of a scenario: what the load project runs without a task file. */
export function defaultWorkload(s: KeystoneBasicScenario, position: number, o: { times: number; concurrency: number; users?: { tenants: number; usersPerTenant: number }; sla: SlaConfig }): LoadWorkload {
  const runner: RallyRunner = { type: 'constant', times: o.times, concurrency: o.concurrency };
  return {
    key: s.name, position, subtask: s.name, description: s.description, scenario: s, args: DEFAULT_ARGS, runner,
    ...(o.users ? { users: o.users } : {}), sla: o.sla,
    rally: {
      args: rallyArgsOf(s), runnerType: 'constant', runner: { times: o.times, concurrency: o.concurrency },
      contexts: o.users ? { users: { tenants: o.users.tenants, users_per_tenant: o.users.usersPerTenant } } : {}, sla: o.sla as Record<string, unknown>,
    },
  };
}
