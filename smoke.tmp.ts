import { diagnose } from './src/features/checkin/diagnosis.js';
import { loadModuleCatalogue, suggestModules } from './src/features/checkin/modules.js';
import { loadCases, trackBudget } from './scripts/method-tables.js';
const cat = loadModuleCatalogue('dialogs/modules.yaml');
for (const c of loadCases()) {
  const d = diagnose(c.answers);
  const s = suggestModules(cat, d).map((x) => `${x.module.id}:${x.priority}`);
  const got = { track: d.track, stage: d.glasl?.stage ?? null, range: d.glasl ? [d.glasl.from, d.glasl.to] : null, certainty: d.certainty, safety: d.flags.safety, first: s[0]?.split(':')[0] };
  const e = c.expect;
  const ok = got.track === e.track && got.stage === e.stage && JSON.stringify(got.range) === JSON.stringify(e.range) && got.certainty === e.certainty && got.safety === e.safety && got.first === e.firstModule
    && (e.flags ?? []).every((f) => d.flags[f]) && (e.absent ?? []).every((m) => !s.some((x) => x.startsWith(m + ':')));
  console.log(ok ? 'ok ' : 'BAD', c.id, JSON.stringify(got), s.join(' '), ok ? '' : JSON.stringify(e));
}
console.log(trackBudget().map((r) => `${r.kind} q=${r.questions} w=${r.words} short=${r.shortestQuestions}/${r.shortestWords} ui=${r.interfaceWords}`).join('\n'));
