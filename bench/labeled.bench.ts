// Recall and false alarms on the independent labeled set (bench/labeled/, written without reading
// the rules' code): each `pos_*.py` holds one leak marked `# expect: LEAK00N` on the line a
// finding should start on, each `neg_*.py` none. Prints per rule: positives found (any severity,
// and at warning/information), negatives flagged. Figures only: it never fails.
//
// `LEAK_LENS_ENGINE=/path/to/checkout` measures another checkout's engine on the same cases
// (e.g. a worktree of an older commit), for before/after tables.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const engineRoot = process.env.LEAK_LENS_ENGINE ? resolve(process.env.LEAK_LENS_ENGINE) : root;
const dir = join(root, 'bench', 'labeled');

interface Counts {
  pos: number;
  found: number;
  foundVisible: number;
  neg: number;
  flagged: number;
  missed: string[];
  alarms: string[];
}

async function main(): Promise<void> {
  const engine = await import(join(engineRoot, 'server', 'src', 'engine.ts'));
  await engine.initEngine();
  let rules: string[];
  try {
    rules = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^leak\d{3}$/.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    console.log('bench/labeled/ is missing: nothing to measure');
    return;
  }
  const table: Record<string, Counts> = {};
  for (const rule of rules) {
    const code = rule.toUpperCase();
    const c: Counts = { pos: 0, found: 0, foundVisible: 0, neg: 0, flagged: 0, missed: [], alarms: [] };
    for (const name of readdirSync(join(dir, rule))
      .filter((n) => n.endsWith('.py'))
      .sort()) {
      const text = readFileSync(join(dir, rule, name), 'utf8');
      const findings: { code: string; severity: string; range: { start: { line: number } } }[] = engine
        .analyzeSource(text, { path: `app/${name}` })
        .findings.filter((f: { code: string }) => f.code === code);
      if (name.startsWith('pos_')) {
        c.pos++;
        const lines = text.split('\n');
        const expected = lines.findIndex((l) => l.includes(`# expect: ${code}`));
        const hit = findings.find((f) => f.range.start.line === expected);
        if (hit) {
          c.found++;
          if (hit.severity !== 'hint') c.foundVisible++;
        } else c.missed.push(name);
      } else if (name.startsWith('neg_')) {
        c.neg++;
        if (findings.some((f) => f.severity !== 'hint')) {
          c.flagged++;
          c.alarms.push(name);
        }
      }
    }
    table[code] = c;
  }
  console.log(`engine: ${engineRoot}`);
  console.log('rule      recall (any)   recall (warn/info)   false alarms (warn/info on negatives)');
  let tp = 0;
  let p = 0;
  let fa = 0;
  let n = 0;
  for (const [code, c] of Object.entries(table)) {
    tp += c.found;
    p += c.pos;
    fa += c.flagged;
    n += c.neg;
    const pct = (a: number, b: number) => (b === 0 ? '  -' : `${Math.round((100 * a) / b)}%`.padStart(4));
    console.log(
      `${code}   ${`${c.found}/${c.pos}`.padStart(6)} ${pct(c.found, c.pos)}   ${`${c.foundVisible}/${c.pos}`.padStart(6)} ${pct(c.foundVisible, c.pos)}         ${`${c.flagged}/${c.neg}`.padStart(6)}`,
    );
  }
  console.log(`all       ${`${tp}/${p}`.padStart(6)}                          ${`${fa}/${n}`.padStart(6)}`);
  if (process.argv.includes('--details')) {
    for (const [code, c] of Object.entries(table)) {
      if (c.missed.length) console.log(`${code} missed: ${c.missed.join(', ')}`);
      if (c.alarms.length) console.log(`${code} false alarms: ${c.alarms.join(', ')}`);
    }
  }
}

void main();
