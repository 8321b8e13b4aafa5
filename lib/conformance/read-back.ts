import type { AnsweredWrite } from '../keystone/http.js';
import type { Keystone } from '../keystone/client.js';
import {
  compareWritten, entityOf, judgeCleared, judgeDeleted, judgeExists, judgeListed, listQuery, planReadBack, ReadBackError, type ReadBackMismatch,
} from '../keystone/read-back.js';

/** What the read-backs of one test cost and found (for the attachment and the request budget). */
export interface ReadBackStats {
  writesChecked: number;
  writesSkipped: number;
  reads: number;
}

/**
 * Reads every successful write back on the reader (another API node where there is one, a new
 * connection per read, admin) and throws ReadBackError on the first write whose stored state is
 * not what was written. Plans and judgements are lib/keystone/read-back.ts's pure functions.
 */
export class WriteReadBack {
  readonly stats: ReadBackStats = { writesChecked: 0, writesSkipped: 0, reads: 0 };

  /** `systemScoped`: the reader's token is system-scoped (enforce_scope), which some reads are refused to (ADMIN_CANNOT_READ). */
  constructor(private readonly reader: Keystone, private readonly readerScope: { systemScoped?: boolean } = {}) {}

  async check(w: AnsweredWrite): Promise<void> {
    const plan = planReadBack(w, this.readerScope);
    if (plan.kind === 'none') {
      if (w.status >= 200 && w.status < 300) this.stats.writesSkipped++;
      return;
    }
    this.stats.writesChecked++;
    const write = `${w.method} ${w.path.split('?', 1)[0]}`;
    const token = await this.reader.tokenSource();
    const get = async (path: string, query?: Record<string, string>) => {
      this.stats.reads++;
      return this.reader.http.request('GET', path, { token, query });
    };
    const mismatches: ReadBackMismatch[] = [];
    if (plan.kind === 'deleted') {
      const r = await get(plan.getPath);
      mismatches.push(...judgeDeleted(write, `GET ${plan.getPath} on the reader`, r.status));
    } else if (plan.kind === 'cleared') {
      const r = await get(plan.getPath);
      mismatches.push(...judgeCleared(write, `GET ${plan.getPath} on the reader`, r.status, r.body, plan.listKey));
    } else if (plan.kind === 'exists') {
      const r = await get(plan.getPath);
      mismatches.push(...judgeExists(write, `GET ${plan.getPath} on the reader`, r.status));
    } else {
      const read = `GET ${plan.getPath} on the reader`;
      const r = await get(plan.getPath);
      const body = r.body as Record<string, unknown> | null;
      const keyed = body?.[plan.entityKey];
      const stored = r.status === 200
        ? plan.entityKey === '' ? (body ?? undefined) : (keyed && typeof keyed === 'object' && !Array.isArray(keyed) ? keyed as Record<string, unknown> : entityOf(body)?.value)
        : undefined;
      if (r.status !== 200) mismatches.push({ write, read, field: '(entity)', written: 'an entity', stored: `GET answered ${r.status}` });
      else mismatches.push(...compareWritten(plan.written, stored, { write, read }));
      if (stored && plan.list && plan.id) {
        const query = listQuery(plan.list, stored);
        const lr = await get(plan.list.collection, query);
        const listRead = `GET ${plan.list.collection}?${new URLSearchParams(query).toString()} on the reader`;
        if (lr.status !== 200) mismatches.push({ write, read: listRead, field: '(list)', written: 'a list', stored: `GET answered ${lr.status}` });
        else mismatches.push(...judgeListed(plan.written, plan.id, lr.body, plan.list.collectionKey, { write, read: listRead }));
      }
    }
    if (mismatches.length) throw new ReadBackError(mismatches);
  }
}
