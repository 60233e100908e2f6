// Engine time on generated shapes that were once quadratic (issue 13): a wide ERROR node, many
// classes each with its own attributes, one class with many methods. Each shape at two sizes, so
// the ratio shows whether time still grows linearly (≈2× for twice the size). Parse and analysis
// are timed apart; best of three runs on a shared machine. Figures only: it never fails.
import { analyzeSource, initEngine } from '../server/src/engine';
import { parsePython } from '../server/src/parser';
import { bigClass, manyClasses, wideErrorLine } from '../test/model/pathological-shapes';

const REPEAT = 3;

function best(run: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function measure(text: string): { kb: number; parseMs: number; analyseMs: number; findings: number } {
  let findings = 0;
  const parseMs = best(() => parsePython(text).delete());
  const analyseMs =
    best(() => {
      findings = analyzeSource(text).findings.length;
    }) - parseMs;
  return { kb: text.length / 1024, parseMs, analyseMs: Math.max(0, analyseMs), findings };
}

async function main(): Promise<void> {
  await initEngine();
  const shapes: [string, (n: number) => string, number][] = [
    ["wide ERROR node: v = <'a if b else ' × n> … els\\x00e … c", wideErrorLine, 10_000],
    ['n classes, each with its own class attributes', manyClasses, 4_000],
    ['one class with n methods calling each other', bigClass, 2_000],
  ];
  console.log('Engine on once-quadratic shapes (best of 3; analysis excludes parsing)');
  for (const [name, make, n] of shapes) {
    const small = measure(make(n / 2));
    const large = measure(make(n));
    const f = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
    console.log(`\n${name}`);
    console.log(
      `  n=${String(n / 2).padEnd(6)} ${small.kb.toFixed(0).padStart(5)} KB  parse ${f(small.parseMs)}  analyse ${f(small.analyseMs)}  ${small.findings} findings`,
    );
    console.log(
      `  n=${String(n).padEnd(6)} ${large.kb.toFixed(0).padStart(5)} KB  parse ${f(large.parseMs)}  analyse ${f(large.analyseMs)}  ${large.findings} findings`,
    );
    console.log(
      `  analysis ×${(large.analyseMs / Math.max(1, small.analyseMs)).toFixed(1)} for twice the size`,
    );
  }
}

void main();
