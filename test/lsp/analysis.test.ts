// The server's analysis wrapper: a rule that throws costs its own findings only, is logged once
// per distinct error, and suppression fixes are computed when asked for.
import * as assert from 'node:assert/strict';
import type { RemoteConsole } from 'vscode-languageserver';
import { initEngine } from '../../server/src/engine';
import { AnalysisErrorLog, analyzeText, overflowedStack } from '../../server/src/lsp/analysis';
import { Logger } from '../../server/src/lsp/logger';
import { RULES } from '../../server/src/rules/index';
import { DEFAULT_SETTINGS, type Rule } from '../../server/src/types';

const CACHE = 'import os\n_c = {}\n\n\ndef f(k):\n    _c[k] = os.getenv(k)\n';

const throwing: Rule = {
  ...RULES[0],
  code: 'LEAK999',
  check() {
    throw new TypeError('boom');
  },
};

function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  const console = { error: push, warn: push, info: push, log: push, debug: push } as unknown as RemoteConsole;
  return { log: new Logger(console), lines };
}

describe('server analysis wrapper', () => {
  before(async () => {
    await initEngine();
  });

  it('keeps the other rules’ findings when one rule throws, and logs each distinct error once', () => {
    const rules = [throwing, ...RULES];
    const outcome = analyzeText(CACHE, DEFAULT_SETTINGS, 'm.py', { rules });
    assert.deepEqual(
      outcome.findings.map((f) => f.code),
      ['LEAK001'],
    );
    assert.deepEqual(
      outcome.ruleErrors.map((e) => [e.code, e.error.split('\n')[0]]),
      [['LEAK999', 'TypeError: boom']],
    );
    const { log, lines } = recordingLogger();
    const errors = new AnalysisErrorLog(log);
    errors.report(outcome, 'm.py');
    errors.report(analyzeText(CACHE, DEFAULT_SETTINGS, 'n.py', { rules }), 'n.py');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /rule LEAK999 failed on m\.py .*TypeError: boom/s);
  });

  it('computes suppression fixes only when asked', () => {
    const plain = analyzeText(CACHE, DEFAULT_SETTINGS, 'm.py');
    assert.equal('suppression' in plain.findings[0], false);
    const withFix = analyzeText(CACHE, DEFAULT_SETTINGS, 'm.py', { suppressions: true });
    assert.equal(withFix.findings[0].suppression?.title, 'Suppress LEAK001 on this line');
  });

  it('recognises a stack overflow (to retry on the worker’s deeper stack)', () => {
    const base = { findings: [], analyzeMs: 0, degraded: false };
    const overflow = { code: 'LEAK001', error: 'RangeError: Maximum call stack size exceeded' };
    assert.equal(overflowedStack({ ...base, ruleErrors: [overflow] }), true);
    assert.equal(
      overflowedStack({ ...base, ruleErrors: [{ code: 'LEAK001', error: 'TypeError: x' }] }),
      false,
    );
  });
});
