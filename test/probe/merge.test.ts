// Merging the probes of several processes (`leak-lens run` with workers) and what the editor
// shows of a probe's answer: pure functions on documents shaped like the probe's.
import * as assert from 'node:assert/strict';
import { parseMetric } from '../../client/src/monitor/sources/prometheus';
import type { GrowthDoc } from '../../client/src/probe/documents';
import { annotateFindings, buildProbeView, CONFIRMED, linesOfFile } from '../../client/src/probe/evidence';
import { probeBase } from '../../client/src/probe/fetch';
import { mergeEndpoints, mergeGrowth, mergeHistory, mergeMetrics } from '../../client/src/probe/merge';
import { formatSize } from '../../client/src/probe/top-command';

const growth = (
  lines: GrowthDoc['lines'],
  types: GrowthDoc['types'] = [],
  windowSeconds = 30,
): GrowthDoc => ({
  version: 1,
  windowSeconds,
  types,
  lines,
});

describe('merging the probes of several processes', () => {
  it('sums growing lines and types across processes and keeps each process', () => {
    const a = growth(
      [{ file: 'app.py', line: 10, sizeBytes: 1000, deltaBytes: 800, count: 4 }],
      [{ type: 'bytearray', count: 40, delta: 30 }],
    );
    const b = growth(
      [
        { file: 'app.py', line: 10, sizeBytes: 3000, deltaBytes: 2000, count: 6 },
        { file: 'worker.py', line: 5, sizeBytes: 900, deltaBytes: 900, count: 1 },
      ],
      [{ type: 'bytearray', count: 60, delta: 50 }],
      45,
    );
    const merged = mergeGrowth([
      { pid: 1, command: 'a', doc: a },
      { pid: 2, command: 'b', doc: b },
    ]);
    assert.deepEqual(Object.keys(merged).slice(0, 4), ['version', 'windowSeconds', 'types', 'lines']);
    assert.equal(merged.windowSeconds, 45);
    assert.deepEqual(merged.lines[0], {
      file: 'app.py',
      line: 10,
      sizeBytes: 4000,
      deltaBytes: 2800,
      count: 10,
    });
    assert.equal(merged.lines[1].file, 'worker.py');
    assert.deepEqual(merged.types, [{ type: 'bytearray', count: 100, delta: 80 }]);
    assert.equal((merged.processes as unknown[]).length, 2);
    // the inputs are not modified
    assert.equal(a.lines[0].deltaBytes, 800);
  });

  it('sums endpoints by method and route; the mean is over all requests', () => {
    const merged = mergeEndpoints([
      {
        pid: 1,
        command: 'a',
        doc: {
          version: 1,
          endpoints: [
            { method: 'GET', route: '/u/{id}', requests: 10, meanDeltaBytes: 100, totalDeltaBytes: 1000 },
          ],
        },
      },
      {
        pid: 2,
        command: 'b',
        doc: {
          version: 1,
          endpoints: [
            { method: 'GET', route: '/u/{id}', requests: 30, meanDeltaBytes: 300, totalDeltaBytes: 9000 },
            { method: 'POST', route: '/u/{id}', requests: 5, meanDeltaBytes: 0, totalDeltaBytes: 0 },
          ],
        },
      },
    ]);
    assert.deepEqual(merged.endpoints[0], {
      method: 'GET',
      route: '/u/{id}',
      requests: 40,
      meanDeltaBytes: 250,
      totalDeltaBytes: 10000,
    });
    assert.equal(merged.endpoints[1].method, 'POST');
  });

  it("leaves each process's first request out of the mean: it pays for lazy set-up", () => {
    const merged = mergeEndpoints([
      {
        pid: 1,
        command: 'a',
        doc: {
          version: 1,
          endpoints: [
            {
              method: 'GET',
              route: '/health',
              requests: 11,
              meanDeltaBytes: 100,
              totalDeltaBytes: 1000,
              firstRequestDeltaBytes: 900000,
            },
          ],
        },
      },
      {
        pid: 2,
        command: 'b',
        doc: {
          version: 1,
          endpoints: [
            {
              method: 'GET',
              route: '/health',
              requests: 31,
              meanDeltaBytes: 300,
              totalDeltaBytes: 9000,
              firstRequestDeltaBytes: 100000,
            },
          ],
        },
      },
    ]);
    assert.deepEqual(merged.endpoints[0], {
      method: 'GET',
      route: '/health',
      requests: 42,
      meanDeltaBytes: 250,
      totalDeltaBytes: 10000,
      firstRequestDeltaBytes: 1000000,
    });
  });

  it('sums histories on a one-second grid; a process counts while it has fresh samples', () => {
    const merged = mergeHistory([
      {
        pid: 1,
        command: 'a',
        doc: {
          version: 1,
          samples: [
            [100, 10, 1],
            [101, 10, 1],
            [102, 10, 1],
            [103, 10, 1],
            [104, 10, 1],
          ],
        },
      },
      {
        pid: 2,
        command: 'b',
        doc: {
          version: 1,
          samples: [
            [101.5, 5, 2],
            [102.5, 6, 2],
          ],
        },
      },
    ]);
    assert.deepEqual(
      merged.samples.map((s) => s[1]),
      [10, 10, 15, 16, 16],
    );
    // the second process stopped answering after 102.5: it still counts for two intervals
    assert.deepEqual(merged.samples[4], [104, 16, 3]);
  });

  it('labels every sample of every process with its pid, one HELP/TYPE per family', () => {
    const page = (rss: number) =>
      `# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${rss}\n# HELP leak_lens_gc_collections_total GC.\n# TYPE leak_lens_gc_collections_total counter\nleak_lens_gc_collections_total{generation="0"} 3\n`;
    const text = mergeMetrics([
      { pid: 11, command: 'a', doc: page(1e6) },
      { pid: 12, command: 'b', doc: page(2e6) },
    ]);
    const rss = parseMetric(text, 'process_resident_memory_bytes');
    assert.deepEqual(
      rss.map((s) => [s.labels.pid, s.value]),
      [
        ['11', 1e6],
        ['12', 2e6],
      ],
    );
    assert.deepEqual(
      parseMetric(text, 'leak_lens_gc_collections_total').map((s) => s.labels),
      [
        { pid: '11', generation: '0' },
        { pid: '12', generation: '0' },
      ],
    );
    assert.equal(text.match(/^# TYPE process_resident_memory_bytes/gm)?.length, 1);
    assert.ok(text.indexOf('# TYPE leak_lens_gc') < text.indexOf('leak_lens_gc_collections_total{'));
  });
});

describe('what the editor shows of a probe', () => {
  const doc = {
    ...growth([
      { file: 'app/main.py', line: 37, sizeBytes: 40 * 1024 * 1024, deltaBytes: 38 * 1024 * 1024, count: 9 },
      { file: '/usr/lib/python3/x.py', line: 3, sizeBytes: 2048, deltaBytes: 2048, count: 1 },
    ]),
    windowSeconds: 600,
    cwd: '/srv/service',
  };

  it('resolves lines against the probed process cwd and says "+38.0 MB in 10.0 min, growing"', () => {
    const view = buildProbeView('http://127.0.0.1:9464', doc, [], '/elsewhere', 5);
    assert.equal(view.lines[0].path, '/srv/service/app/main.py');
    assert.equal(view.lines[1].path, '/usr/lib/python3/x.py');
    assert.match(view.lines[0].text, /^\+38\.0 MB in 10\.0 min, growing/);
    assert.deepEqual([...linesOfFile(view, '/srv/service/app/main.py').keys()], [36]);
    assert.equal(linesOfFile(view, '/srv/service/app/other.py').size, 0);
    assert.equal(linesOfFile(undefined, '/srv/service/app/main.py').size, 0);
  });

  it('ranks endpoints by the memory a request keeps', () => {
    const view = buildProbeView(
      'u',
      doc,
      [
        { method: 'GET', route: '/a', requests: 1000, meanDeltaBytes: 10, totalDeltaBytes: 10000 },
        { method: 'GET', route: '/b', requests: 10, meanDeltaBytes: 4000, totalDeltaBytes: 40000 },
      ],
      '/',
    );
    assert.deepEqual(
      view.endpoints.map((e) => e.route),
      ['/b', '/a'],
    );
  });

  it('a finding on a growing line, or whose write site is one, says "confirmed at runtime" and comes first', () => {
    const view = buildProbeView('u', doc, [], '/');
    const growing = linesOfFile(view, '/srv/service/app/main.py');
    type F = { message: string; range: { start: { line: number }; end: { line: number } }; writes: number[] };
    const at = (line: number, message: string, writes: number[] = []): F => ({
      message,
      range: { start: { line }, end: { line } },
      writes,
    });
    const findings = [at(5, 'unrelated'), at(30, 'container defined here', [36]), at(36, 'on the line')];
    const out = annotateFindings(
      findings,
      growing,
      (f) => f.writes,
      (f, message) => ({ ...f, message }),
    );
    assert.deepEqual(
      out.map((f) => f.message.startsWith(CONFIRMED)),
      [true, true, false],
    );
    assert.match(
      out[0].message,
      /^confirmed at runtime: \+38\.0 MB in 10\.0 min, growing .* at line 37 — container defined here$/,
    );
    assert.equal(out[2].message, 'unrelated');
    assert.equal(findings[1].message, 'container defined here', 'the originals are untouched');
    // A write two lines below the growing line (the value is made just above the append) counts;
    // three lines below does not.
    assert.ok(
      annotateFindings(
        [at(1, 'x', [38])],
        growing,
        (f) => f.writes,
        (f, m) => ({ ...f, message: m }),
      )[0].message.startsWith(CONFIRMED),
    );
    assert.equal(
      annotateFindings(
        [at(1, 'x', [39])],
        growing,
        (f) => f.writes,
        (f, m) => ({ ...f, message: m }),
      )[0].message,
      'x',
    );
  });
});

describe('probe URLs and sizes', () => {
  it('takes a base URL, a probe endpoint URL or a /metrics URL', () => {
    assert.equal(probeBase('http://127.0.0.1:9464'), 'http://127.0.0.1:9464');
    assert.equal(probeBase('http://127.0.0.1:9464/metrics'), 'http://127.0.0.1:9464');
    assert.equal(probeBase('http://h:8000/svc/api/debug/memory/growth'), 'http://h:8000/svc');
    assert.throws(() => probeBase('127.0.0.1 9464'), /is not a URL/);
    assert.throws(() => probeBase('ftp://h/x'), /not an http/);
  });

  it('prints sizes in the unit that keeps them readable', () => {
    assert.equal(formatSize(812), '812 B');
    assert.equal(formatSize(3277), '3.2 KB');
    assert.equal(formatSize(41 * 1024 * 1024), '41.0 MB');
  });
});
