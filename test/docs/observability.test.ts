// docs/observability: the shipped rules pass `promtool check rules` and their unit tests
// (`promtool test rules`: a leak, a slow leak, a GC sawtooth, a warm-up, a leak masked by restarts,
// restarts without a leak, Kubernetes OOM kills), and every query of the Grafana dashboard is
// valid PromQL for the real promtool, using only recording rules the rules file defines.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMTOOL, prometheusMissing } from '../monitor/prometheus-server';

const DIR = join(__dirname, '..', '..', 'docs', 'observability');
const RULES = join(DIR, 'leak-lens.rules.yml');

function promtool(args: string[], cwd = DIR) {
  return spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 120000 });
}

interface Panel {
  title: string;
  targets: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8'));
const variables = new Map<string, string>(
  dashboard.templating.list
    .filter((v: { type: string }) => v.type === 'textbox')
    .map((v: { name: string; query: string }) => [v.name, v.query]),
);

/** A dashboard query as Prometheus would receive it (Grafana's variables filled in). */
function substitute(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval/g, '5m')
    .replace(/\$__range/g, '6h')
    .replace(/\$\{(\w+)\}/g, (_, name) => variables.get(name) ?? '.*')
    .replace(/\$(job|instance)\b/g, '.*');
}

describe('docs/observability: Prometheus rules and the Grafana dashboard', function () {
  this.timeout(120000);

  describe('with the real promtool', () => {
    before(function () {
      const missing = prometheusMissing();
      if (missing) {
        console.log(`      (skipped: ${missing})`);
        this.skip();
      }
    });

    it('promtool check rules accepts leak-lens.rules.yml', () => {
      const r = promtool(['check', 'rules', RULES]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS: 8 rules found/);
    });

    it('promtool test rules passes every case (leak, slow leak, sawtooth, warm-up, restarts, OOMKilled)', () => {
      const r = promtool(['test', 'rules', 'leak-lens.rules.test.yml']);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS/);
      const cases = readFileSync(join(DIR, 'leak-lens.rules.test.yml'), 'utf8');
      for (const alert of [
        'LeakLensRapidMemoryLeak',
        'LeakLensSlowMemoryLeak',
        'LeakLensLeakMaskedByRestarts',
        'LeakLensOOMKilledRepeatedly',
      ]) {
        assert.match(
          cases,
          new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
          `${alert} fires in a case`,
        );
        assert.match(
          cases,
          new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`),
          `${alert} stays silent in a case`,
        );
      }
    });

    it('the rules tests can fail: a rate()-style threshold in bytes per second is caught', () => {
      const dir = mkdtempSync(join(tmpdir(), 'leak-lens-rules-'));
      try {
        const wrong = readFileSync(RULES, 'utf8').replace(
          'deriv(min_over_time(process_resident_memory_bytes[5m])[30m:1m]) * 60',
          'deriv(min_over_time(process_resident_memory_bytes[5m])[30m:1m])',
        );
        writeFileSync(join(dir, 'leak-lens.rules.yml'), wrong);
        writeFileSync(
          join(dir, 'leak-lens.rules.test.yml'),
          readFileSync(join(DIR, 'leak-lens.rules.test.yml')),
        );
        const r = promtool(['test', 'rules', 'leak-lens.rules.test.yml'], dir);
        assert.notEqual(r.status, 0);
        assert.match(r.stdout + r.stderr, /FAILED/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('every dashboard query is valid PromQL (checked by promtool as recording rules)', () => {
      const exprs: string[] = dashboard.panels.flatMap((p: Panel) =>
        p.targets.map((t) => substitute(t.expr)),
      );
      for (const a of dashboard.annotations.list) if (a.expr) exprs.push(substitute(a.expr));
      assert.ok(exprs.length >= 10);
      const yaml = [
        'groups:',
        '  - name: dashboard-queries',
        '    rules:',
        ...exprs.map((e, i) => `      - record: dashboard_query_${i}\n        expr: ${JSON.stringify(e)}`),
      ].join('\n');
      const dir = mkdtempSync(join(tmpdir(), 'leak-lens-dash-'));
      try {
        writeFileSync(join(dir, 'queries.yml'), `${yaml}\n`);
        const r = promtool(['check', 'rules', join(dir, 'queries.yml')], dir);
        assert.equal(r.status, 0, r.stdout + r.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('the dashboard uses only recording rules that leak-lens.rules.yml defines', () => {
    const rules = readFileSync(RULES, 'utf8');
    const defined = new Set([...rules.matchAll(/- record: (\S+)/g)].map((m) => m[1]));
    const used = new Set<string>();
    for (const p of dashboard.panels as Panel[])
      for (const t of p.targets) for (const m of t.expr.matchAll(/leak_lens:[\w:]+/g)) used.add(m[0]);
    assert.ok(used.size >= 2);
    for (const name of used)
      assert.ok(defined.has(name), `${name} is not a recording rule of the rules file`);
  });

  it('the dashboard has the panels the issue asks for, each on the data source variable', () => {
    const titles = dashboard.panels.map((p: Panel) => p.title).join('\n');
    for (const want of [
      /RSS per instance/,
      /Growth per minute/,
      /GC pause/,
      /endpoint/,
      /Growing source lines/,
      /Restarts/,
    ]) {
      assert.match(titles, want);
    }
    for (const p of dashboard.panels) assert.equal(p.datasource.uid, '${datasource}', p.title);
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  });

  it('no rule uses rate() or irate() on a memory gauge', () => {
    const rules = readFileSync(RULES, 'utf8');
    assert.doesNotMatch(rules, /\b(?:i?rate|increase)\(\s*process_resident_memory_bytes/);
    assert.doesNotMatch(JSON.stringify(dashboard), /\b(?:i?rate|increase)\(\s*process_resident_memory_bytes/);
  });
});
