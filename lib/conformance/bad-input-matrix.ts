/**
 * One route's bad-input matrix, the body every bad-input conformance test shares:
 *   1. the positive control: the valid body, which must be accepted (2xx). A route that refuses
 *      everything would otherwise pass every shape with a perfect 400;
 *   2. the boundary probes of schema-limits.ts for the route: the value at the limit accepted and
 *      read back unchanged (GET), one past it refused with 400;
 *   3. every malformed shape of badInputs(spec) and the route's own, judged by
 *      bad-input-judgement.ts (400 with Keystone's error body; 401/404 only where the route kind
 *      allows it), except the shapes the route accepts by design.
 * One test.step per request; a failing step is a soft failure, so every shape still runs, and the
 * matrix verdict (judgeBadInputMatrix) closes the test.
 */
import { expect, test, type TestInfo } from '@playwright/test';
import type { ClusterInfo } from '../cluster/cluster-info.js';
import type { Keystone } from '../keystone/client.js';
import { KeystoneTransportError } from '../keystone/errors.js';
import type { HttpMethod, KsResponse } from '../keystone/http.js';
import { badInputs, type BadInput, type BadInputSpec } from './bad-input.js';
import { judgeAtLimit, judgeBadInputMatrix, judgePositiveControl, type AtLimitProbe, type BadInputRoute, type BadInputVerdict, type MatrixRow } from './bad-input-judgement.js';
import { boundaryGroups, boundaryShape, boundaryValue, limitsFor } from './schema-limits.js';
import { answerOf, expectClientError, expectOrKnownDefect, outcomeOf } from './server-error.js';

export interface BadInputMatrixOp {
  method: Extract<HttpMethod, 'POST' | 'PUT' | 'PATCH'>;
  /** Concrete path of the request. */
  path: string;
  /** Path template, for step titles, known-defect cases and the schema-limits lookup. */
  template: string;
  /** The shapes of badInputs(spec); its `valid` body is also the positive control. */
  spec?: BadInputSpec;
  /** Shapes of the operation itself, sent as built after those of badInputs(). */
  extra?: BadInput[];
  /** Where the input goes: `body` (400 only, the default) or `auth-body` (400 or 401). */
  route?: BadInputRoute;
  /**
   * The positive control when `spec.valid` cannot be accepted as is (a signature that must be
   * right, a route whose shapes all come from `extra`): the JSON body, sent verbatim.
   */
  control?: { json: unknown };
  /**
   * Shapes that Zed accepts by design, with the reason (e.g. `additionalProperties: true` stores
   * unknown attributes as extras). They must answer 2xx.
   */
  accepted?: Record<string, string>;
  /**
   * Deletes (now, or deferred through the factory) whatever a 2xx answer created: the positive
   * control, the boundary value at the limit, accepted shapes, or a bug. Required for POST,
   * unless `createsNothing` says why the route stores nothing to delete.
   */
  cleanup?: (res: KsResponse) => void | Promise<unknown>;
  createsNothing?: string;
  /**
   * Puts each JSON shape of badInputs() into the request envelope, for batch bodies whose entities
   * travel in an array (`{registered_limits: [shape]}`). Raw shapes and `extra` are sent as built.
   */
  wrap?: (shape: unknown) => unknown;
}

export interface BadInputMatrixCtx { admin: Keystone; testInfo: TestInfo; cluster: ClusterInfo }

/** Figures of one matrix, for the run's report (annotation `bad-input-matrix`). */
export interface MatrixFigures { shapes: number; boundaryProbes: number; requests: number }

const wrapMember = (key: string | null, entity: unknown): unknown => (key ? { [key]: entity } : entity);

/**
 * Makes the writes expected to succeed (control, values at the limit) distinct from each other and
 * from the shapes accepted by design: a unique `name`/`id` of the valid body gets a suffix, so no
 * write meets a 409 from an earlier one.
 */
function freshen(valid: Record<string, unknown>, suffix: string, keep: readonly string[] = []): Record<string, unknown> {
  const out = { ...valid };
  for (const k of ['name', 'id']) if (!keep.includes(k) && typeof out[k] === 'string') out[k] = `${out[k] as string}-${suffix}`;
  return out;
}

export async function runBadInputMatrix(ctx: BadInputMatrixCtx, op: BadInputMatrixOp): Promise<MatrixFigures> {
  const { admin } = ctx;
  if (op.method === 'POST' && !op.cleanup && !op.createsNothing) throw new Error(`${op.method} ${op.template}: a bad-input matrix creates (its positive control): give cleanup, or createsNothing with the reason`);
  const route = op.route ?? 'body';
  const token = await admin.tokenSource();
  const figures: MatrixFigures = { shapes: 0, boundaryProbes: 0, requests: 0 };
  const title = (shape: string) => `${op.method} ${op.template} [${shape}]`;
  const envelope = (json: unknown) => (op.wrap ? op.wrap(json) : json);
  const send = async (req: { json?: unknown; raw?: string | Buffer; contentType?: string }) => {
    figures.requests++;
    const headers = req.contentType ? { 'content-type': req.contentType } : undefined;
    const outcome = await outcomeOf(admin.http.request(op.method, op.path, req.raw !== undefined ? { token, rawBody: req.raw, headers } : { token, body: req.json, headers }));
    if (!(outcome instanceof KeystoneTransportError) && outcome.status >= 200 && outcome.status < 300) await op.cleanup?.(outcome);
    return outcome;
  };
  const soft = async (shape: string, body: () => Promise<void>) => {
    await test.step(title(shape), async () => {
      try { await body(); } catch (e) { expect.soft(undefined, (e as Error).message).toBeDefined(); }
    });
  };

  // 1. Positive control.
  let control: BadInputVerdict | undefined;
  const controlBody = op.control ? op.control.json : op.spec ? envelope(wrapMember(op.spec.memberKey, freshen(op.spec.valid, 'pc'))) : undefined;
  if (controlBody === undefined) throw new Error(`${op.method} ${op.template}: no positive control (give spec.valid or control)`);
  await soft('positive-control', async () => {
    const outcome = await send({ json: controlBody });
    control = judgePositiveControl(answerOf(outcome));
    expectOrKnownDefect(control.ok, control.reason, { testInfo: ctx.testInfo, what: title('positive-control'), expected: 'the valid body accepted (2xx)' }, control.observed);
  });

  // 2. Boundary probes (routes whose entity sits under a member key, so it can be read back).
  // The values at the limit travel together where their fields differ (boundaryGroups): one write,
  // one read-back, each field judged on its own; each value past its limit is sent alone, so a
  // refusal names the field.
  const key = op.spec?.memberKey ?? null;
  // A body without a member key (PUT .../tags) is the entity itself, read back from the same path.
  const member = (entity: unknown) => (key ? { [key]: entity } : entity);
  const limits = op.spec && !op.wrap ? limitsFor(op.method, op.template) : [];
  const baseOf = (field: string, i: number) => `${typeof op.spec!.valid[field] === 'string' ? op.spec!.valid[field] as string : `ksgate-${field}`}-b${i}`;
  for (const [g, group] of boundaryGroups(limits).entries()) {
    await soft(group.map((l) => boundaryShape(l, 0)).join(' '), async () => {
      figures.boundaryProbes += group.length;
      const body: Record<string, unknown> = freshen(op.spec!.valid, `b${g}0`, group.map((l) => l.field));
      for (const l of group) body[l.field] = boundaryValue(l, baseOf(l.field, g), 0);
      const outcome = await send({ json: member(body) });
      let stored: Record<string, unknown> | undefined;
      let readStatus: number | undefined;
      if (!(outcome instanceof KeystoneTransportError) && outcome.status >= 200 && outcome.status < 300) {
        const id = key ? (outcome.body?.[key] as { id?: string } | undefined)?.id : undefined;
        const readPath = op.method === 'POST' ? (id ? `${op.path}/${encodeURIComponent(id)}` : undefined) : op.path;
        if (readPath) {
          figures.requests++;
          const got = await outcomeOf(admin.http.request('GET', readPath, { token }));
          if (!(got instanceof KeystoneTransportError)) { readStatus = got.status; stored = (key ? got.body?.[key] : got.body) as Record<string, unknown> | undefined; }
        }
      }
      for (const l of group) {
        const at: AtLimitProbe = { answer: answerOf(outcome), sent: body[l.field], unordered: l.unit !== 'chars', ...(readStatus !== undefined ? { readBack: { status: readStatus, value: stored?.[l.field] } } : {}) };
        const j = judgeAtLimit(at);
        expectOrKnownDefect(j.ok, j.reason, { testInfo: ctx.testInfo, what: title(boundaryShape(l, 0)), expected: `${l.field} at ${l.max} (${l.source}) accepted and read back unchanged` }, j.observed);
      }
    });
  }
  for (const [i, limit] of limits.entries()) {
    await soft(boundaryShape(limit, 1), async () => {
      figures.boundaryProbes++;
      const body = { ...freshen(op.spec!.valid, `p${i}`, [limit.field]), [limit.field]: boundaryValue(limit, baseOf(limit.field, i), 1) };
      const outcome = await send({ json: member(body) });
      await expectClientError(outcome, { testInfo: ctx.testInfo, cluster: ctx.cluster, what: title(boundaryShape(limit, 1)) }, 'body');
    });
  }

  // 3. The malformed shapes.
  const rows: MatrixRow[] = [];
  // `too-long` (300 characters) adds nothing where a probe one past the field's limit was sent.
  const probed = (shape: string) => shape === 'too-long' && limits.some((l) => l.field === op.spec?.longField && l.unit === 'chars');
  const inputs = [...(op.spec ? badInputs(op.spec).filter((b) => !probed(b.shape)).map((b) => (b.json !== undefined ? { ...b, json: envelope(b.json) } : b)) : []), ...(op.extra ?? [])];
  expect(inputs.length, `${op.method} ${op.template}: at least one bad input`).toBeGreaterThan(0);
  for (const input of inputs) {
    await soft(input.shape, async () => {
      figures.shapes++;
      const outcome = await send(input);
      const acceptedWhy = op.accepted?.[input.shape];
      if (acceptedWhy) {
        const v = judgePositiveControl(answerOf(outcome));
        expect(v.ok, `${title(input.shape)} is accepted by Zed (${acceptedWhy}); ${v.reason}`).toBe(true);
        return;
      }
      let verdict: BadInputVerdict = { ok: false, observed: '5xx', reason: 'not judged' };
      try {
        await expectClientError(outcome, { testInfo: ctx.testInfo, cluster: ctx.cluster, what: title(input.shape) }, route);
        verdict = { ok: true, observed: '4xx-wrong-status', reason: 'as required or a listed known defect' };
      } finally {
        rows.push({ shape: input.shape, verdict });
      }
    });
  }

  ctx.testInfo.annotations.push({ type: 'bad-input-matrix', description: `${op.method} ${op.template}: ${figures.shapes} shapes, ${figures.boundaryProbes} boundary probes, ${figures.requests} requests` });
  // The matrix verdict (a refused or missing control fails it whatever the shapes got). Each
  // failing step was already reported (soft, or as a listed known defect), so this adds only the
  // case no step covers: a control that never got judged.
  const m = judgeBadInputMatrix(control, rows);
  ctx.testInfo.annotations.push({ type: 'bad-input-verdict', description: `${op.method} ${op.template}: ${m.ok ? 'pass' : 'fail'}: ${m.reason.slice(0, 300)}` });
  if (!control) expect.soft(m.ok, `${op.method} ${op.template}: ${m.reason}`).toBe(true);
  return figures;
}

/** Sends one bad input as is (raw bytes, or JSON, with its content type), for routes judged outside runBadInputMatrix. */
export function sendBadInput(admin: Keystone, method: HttpMethod, path: string, token: string, b: BadInput) {
  return outcomeOf(admin.http.request(method, path, {
    token, ...(b.raw !== undefined ? { rawBody: b.raw } : { body: b.json }), headers: b.contentType ? { 'content-type': b.contentType } : undefined,
  }));
}
