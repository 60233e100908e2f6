// The probe's own decisions, run in real Python: what counts as a growing line, route templates
// guessed from raw paths, nothing started unless enabled, and the package parsing on Python 3.8.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ROOT, PYTHON, pythonHas, SYSTEM_PYTHON } from './support';

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

  it('writes Flask rules and Django routes as templates: /users/{user_id}', () => {
    const out = python(`
from leak_lens_probe._routes import flask_template, django_template
for r in ["/users/<int:user_id>", "/files/<path:name>", "/x/<slug>/y"]:
    print(flask_template(r))
for r in ["users/<int:pk>/", "", "^api/^orders/(?P<order_id>[0-9]+)/$", "^a/(?P<slug>[-\\\\w]+)/(\\\\d+)$"]:
    print(django_template(r))
`);
    assert.deepEqual(out.split('\n'), [
      '/users/{user_id}',
      '/files/{name}',
      '/x/{slug}/y',
      '/users/{pk}/',
      '/',
      '/api/orders/{order_id}/',
      '/a/{slug}/{arg}',
    ]);
  });

  it('the WSGI middleware takes the route from Flask and Django themselves; one record per request', function () {
    if (!pythonHas(SYSTEM_PYTHON, ['flask', 'django'])) this.skip(); // apt: python3-flask python3-django
    const out = python(
      `
import io, sys
from leak_lens_probe import LeakLensWSGIMiddleware, get_probe
from leak_lens_probe import _autopatch
from wsgiref.handlers import SimpleHandler
from wsgiref.util import setup_testing_defaults

def run(app, path):
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1"}
    setup_testing_defaults(environ)
    SimpleHandler(io.BytesIO(), io.BytesIO(), sys.stderr, environ).run(app)

from flask import Flask
flask_app = Flask("f")
flask_app.add_url_rule("/users/<int:user_id>", "u", lambda user_id: "x")
flask_app.wsgi_app = LeakLensWSGIMiddleware(flask_app.wsgi_app, enabled=True)

from django.conf import settings
settings.configure(ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="k", MIDDLEWARE=[])
import django
django.setup()
from django.http import HttpResponse
from django.urls import path
urlpatterns = [path("orders/<int:order_id>/", lambda request, order_id: HttpResponse("x"))]
from django.core.wsgi import get_wsgi_application
django_app = get_wsgi_application()
wrapped_django = LeakLensWSGIMiddleware(django_app, enabled=True)

# The run-mode patches too (leak-lens run installs them): they must not count a request twice.
import flask.app, django.core.handlers.base, wsgiref.handlers
_autopatch.check()
run(flask_app, "/users/7"); run(flask_app, "/nope/8")
run(wrapped_django, "/orders/9/"); run(wrapped_django, "/nope/")
run(django_app, "/orders/10/")  # no middleware: the Django patch measures it, not the wsgiref guess
for e in sorted(get_probe().endpoint_stats(), key=lambda e: e["route"]):
    print(e["method"], e["route"], e["requests"])
`,
      SYSTEM_PYTHON,
      { LEAK_LENS_PROBE_TRACE_DELAY: '0' },
    );
    assert.deepEqual(out.split('\n'), [
      'GET /orders/{order_id}/ 2',
      'GET /users/{user_id} 1',
      'GET <unmatched> 2',
    ]);
  });

  it('a type grows when its count rises by comparable steps, not when a first count preceded the import', () => {
    const out = python(`
from leak_lens_probe._core import Probe
p = Probe()
series = {
  "steady leak": [0, 580, 1170],
  "uneven but a leak": [100, 400, 1300],
  "import, then warm-up": [886, 2381, 2398],
  "flat": [500, 500, 500],
  "import, then small growth": [100, 5400, 5700],
  "falls": [900, 1200, 1000],
}
for i in range(3):
    p.type_counts.append((i * 30.0, {name: counts[i] for name, counts in series.items()}))
print(",".join(sorted(t["type"] for t in p.growing_types())))
`);
    assert.equal(out, 'steady leak,uneven but a leak');
  });

  it("keeps an endpoint's first request (lazy set-up) out of its mean and total", () => {
    const out = python(`
from leak_lens_probe._core import Probe
p = Probe()
for delta in [900000, 100, 300]:
    p.record_request("GET", "/a", delta)
p.record_request("GET", "/once", 5000)
for e in p.endpoint_stats():
    print(e["route"], e["requests"], e["meanDeltaBytes"], e["totalDeltaBytes"], e["firstRequestDeltaBytes"])
`);
    assert.deepEqual(out.split('\n'), ['/a 3 200.0 400 900000', '/once 1 0 0 5000']);
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
