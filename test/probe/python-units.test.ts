// The probe's own decisions, run in real Python: what counts as a growing line, route templates
// guessed from raw paths, nothing started unless enabled, and the package parsing on Python 3.8.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ROOT, PYTHON } from './support';

function python(code: string, python = PYTHON, env: NodeJS.ProcessEnv = {}): string {
  const res = spawnSync(python, ['-c', code], {
    env: {
      ...process.env,
      PYTHONPATH: PROBE_ROOT,
      PYTHONDONTWRITEBYTECODE: '1',
      LEAK_LENS_PROBE: '',
      ...env,
    },
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.trim();
}

describe('probe decisions (Python)', () => {
  it('a line grows only if its size keeps rising across the window, not because it is large', () => {
    const out = python(`
from leak_lens_probe._core import is_growing
K = 1024
cases = {
  "steady": [0, 20*K, 40*K, 60*K, 80*K, 100*K, 120*K],
  "stepwise but mostly rising": [0, 20*K, 40*K, 40*K, 60*K, 80*K, 100*K],
  "large and flat": [50*K*K] * 7,
  "sawtooth": [0, 40*K, 0, 40*K, 0, 40*K, 0],
  "fills then flat": [0, 200*K, 200*K, 200*K, 200*K, 200*K, 200*K],
  "rises then falls back": [0, 20*K, 40*K, 60*K, 80*K, 100*K, 30*K],
  "too small": [0, 1*K, 2*K, 3*K, 4*K, 5*K, 6*K],
  "too few steps": [0, 50*K, 100*K],
}
print(",".join(name for name, sizes in cases.items() if is_growing(sizes, 10*K)))
`);
    assert.equal(out, 'steady,stepwise but mostly rising');
  });

  it('guesses route templates from raw paths (ids, UUIDs, digests, tokens), and uses given ones first', () => {
    const out = python(`
from leak_lens_probe._routes import RouteTemplates
t = RouteTemplates(["/users/{user_id}/orders", "/files/{path:path}"])
for p in ["/users/42/orders", "/users/42", "/orders/9f1c2d3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f", "/blobs/a3f5c9e0b1d2c4e6",
          "/health", "/v1/items", "/files/a/b/c.txt", "/sessions/tok3nWithDigits12345", "/items/12?x=1"]:
    print(t(p))
`);
    assert.deepEqual(out.split('\n'), [
      '/users/{user_id}/orders',
      '/users/{id}',
      '/orders/{id}',
      '/blobs/{id}',
      '/health',
      '/v1/items',
      '/files/{path:path}',
      '/sessions/{id}',
      '/items/{id}',
    ]);
  });

  it('starts nothing and serves nothing unless enabled', () => {
    const out = python(`
import threading
from leak_lens_probe import serve, get_probe, LeakLensWSGIMiddleware
server = serve(port=0)
LeakLensWSGIMiddleware(lambda e, s: [])
print(server is None, get_probe() is None, [t.name for t in threading.enumerate() if "leak-lens" in t.name])
`);
    assert.equal(out, 'True True []');
    const on = python(
      'from leak_lens_probe import serve\ns = serve(port=0)\nprint(s.server_address[0], s.server_address[1] > 0)',
      PYTHON,
      { LEAK_LENS_PROBE: '1' },
    );
    assert.equal(on, '127.0.0.1 True');
  });

  it('parses and imports on Python 3.8 (the oldest supported)', function () {
    const python38 = findPython38();
    if (!python38) this.skip(); // no Python 3.8 on this machine
    const out = python(
      `import os, sys
root = ${JSON.stringify(join(PROBE_ROOT, 'leak_lens_probe'))}
for folder, _, files in os.walk(root):
    for name in files:
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            with open(path) as f:
                compile(f.read(), path, "exec")
import leak_lens_probe, leak_lens_probe._runmode, leak_lens_probe._autopatch
print(sys.version_info[:2] == (3, 8))`,
      python38,
    );
    assert.equal(out, 'True');
  });
});

function findPython38(): string | undefined {
  if (spawnSync('python3.8', ['--version']).status === 0) return 'python3.8';
  const pyenv = join(homedir(), '.pyenv', 'versions');
  if (!existsSync(pyenv)) return undefined;
  const version = readdirSync(pyenv).find((v) => /^3\.8\.\d+$/.test(v));
  return version ? join(pyenv, version, 'bin', 'python') : undefined;
}
