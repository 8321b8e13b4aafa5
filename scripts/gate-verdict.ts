// One gate verdict from the phases of `npm run gate` (each phase's gate reporter wrote its own
// file); the rules are reports/verdict.ts's `mergePhases`. Every file named is a phase the gate
// named: a missing one is a phase that did not run to its end.
//   tsx scripts/gate-verdict.ts <out.json> <phase.gate.json>...
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describeTraffic } from '../reports/phase-traffic.js';
import { ALLOW_NOT_RUN_ENV, allowedNotRun, mergePhases, type PhaseGate } from '../reports/verdict.js';

const [out, ...files] = process.argv.slice(2);
if (!out || !files.length) throw new Error('usage: gate-verdict.ts <out.json> <phase.gate.json>...');
const phases = files.map((file) => ({
  phase: basename(file).replace(/\.gate\.json$/, ''),
  gate: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as PhaseGate : undefined,
}));
// KS_GATE_PHASES picks some phases: the projects of the others are then "not selected", not missing.
const gate = mergePhases({ phases, subset: !!process.env.KS_GATE_PHASES?.trim(), allowNotRun: allowedNotRun(process.env[ALLOW_NOT_RUN_ENV]) });
mkdirSync(dirname(out), { recursive: true });
/** "conformance pass (read committed; 9,876 requests + 4,321 read-backs, 5.3/s)": the verdict and what bounded its time. */
function phaseText(p: (typeof gate.phases)[number]): string {
  const bits = [
    'isolation' in p && p.isolation ? p.isolation : undefined,
    'traffic' in p && p.traffic ? describeTraffic(p.traffic) : undefined,
  ].filter(Boolean);
  return `${p.phase} ${p.verdict}${bits.length ? ` (${bits.join('; ')})` : ''}`;
}
writeFileSync(out, JSON.stringify(gate, null, 2));
const lines = [`gate verdict: ${gate.verdict.toUpperCase()} — ${gate.phases.map(phaseText).join(', ')} -> ${out}`];
for (const e of gate.globalErrors) lines.push(`  ${e.split('\n')[0]}`);
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = gate.verdict === 'pass' ? 0 : 1;
