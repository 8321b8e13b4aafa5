// One gate verdict from the phases of `npm run gate` (each phase's gate reporter wrote its own
// file): pass only if every phase ran and passed. Run-wide figures (api coverage, leaked
// operations) come from the last phase, whose reporter read the rows every phase added up.
//   tsx scripts/gate-verdict.ts <out.json> <phase.gate.json>...
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

interface PhaseGate {
  verdict: 'pass' | 'fail'; status: string; durationSeconds: number;
  counts: Record<string, number>; failuresByCategory: Record<string, number>;
  leakedOperations?: unknown[]; knownDefects?: unknown[]; coverage?: unknown;
  failures?: unknown[]; globalErrors?: string[];
}

const [out, ...files] = process.argv.slice(2);
if (!out || !files.length) throw new Error('usage: gate-verdict.ts <out.json> <phase.gate.json>...');
const phases = files.map((file) => {
  const phase = basename(file).replace(/\.gate\.json$/, '');
  if (!existsSync(file)) return { phase, gate: undefined };
  return { phase, gate: JSON.parse(readFileSync(file, 'utf8')) as PhaseGate };
});
const sum = (key: 'counts' | 'failuresByCategory') => {
  const total: Record<string, number> = {};
  for (const { gate } of phases) for (const [k, v] of Object.entries(gate?.[key] ?? {})) total[k] = (total[k] ?? 0) + v;
  return total;
};
const last = phases.at(-1)?.gate;
const missing = phases.filter((p) => !p.gate).map((p) => p.phase);
const verdict = missing.length === 0 && phases.every((p) => p.gate!.verdict === 'pass') ? 'pass' : 'fail';
const gate = {
  verdict,
  phases: phases.map(({ phase, gate: g }) => ({ phase, verdict: g?.verdict ?? 'did not run', durationSeconds: g?.durationSeconds ?? null, counts: g?.counts ?? null })),
  counts: sum('counts'),
  failuresByCategory: sum('failuresByCategory'),
  leakedOperations: last?.leakedOperations ?? [],
  knownDefects: phases.flatMap((p) => p.gate?.knownDefects ?? []),
  coverage: last?.coverage,
  failures: phases.flatMap((p) => p.gate?.failures ?? []),
  globalErrors: [...phases.flatMap((p) => p.gate?.globalErrors ?? []), ...missing.map((m) => `phase ${m} wrote no verdict (did not run to its end)`)],
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(gate, null, 2));
process.stdout.write(`gate verdict: ${verdict.toUpperCase()} — ${gate.phases.map((p) => `${p.phase} ${p.verdict}`).join(', ')} -> ${out}\n`);
