// Where code runs (model/execution.ts): each case puts `probe()` where a rule would ask, and
// checks the frequency and the reason the rules quote.
import * as assert from 'node:assert/strict';
import { dedent } from '../../server/src/fixes/edits';
import {
  FACTORY_NAME,
  instantiationOf,
  isOneShotFile,
  isRouteHandler,
  mayRunRepeatedly,
  ONE_TIME_NAME,
  PER_CALL_NAME,
  type RunFrequency,
  runInfoAt,
  runInfoOfScope,
} from '../../server/src/model/execution';
import { SemanticModel } from '../../server/src/model/semantic';
import { SourceFile } from '../../server/src/model/source';
import { initParser, type Node, parsePython } from '../../server/src/parser';

function modelOf(code: string, path?: string): SemanticModel {
  const text = dedent(code);
  return new SemanticModel(new SourceFile(text, parsePython(text), path));
}

function probes(model: SemanticModel): Node[] {
  return model.file.root.descendantsOfType('call').filter((n): n is Node => n?.text === 'probe()');
}

/** The run info at each `probe()` of the snippet, in source order. */
function at(code: string, path?: string): { frequency: RunFrequency; reason: string; fromName?: string }[] {
  const model = modelOf(code, path);
  const found = probes(model);
  assert.ok(found.length > 0, 'no probe() in the snippet');
  return found.map((p) => runInfoAt(model, p));
}

function frequencies(code: string, path?: string): RunFrequency[] {
  return at(code, path).map((i) => i.frequency);
}

describe('execution model', () => {
  before(async () => {
    await initParser();
  });

  it('module and class bodies run at import', () => {
    assert.deepEqual(
      frequencies(`
        probe()
        class A:
            probe()
      `),
      ['import-time', 'import-time'],
    );
  });

  it('route handlers, views, request hooks and task decorators repeat, and say why', () => {
    const infos = at(`
      @app.get("/users/{uid}")
      def get_user(uid):
          probe()

      def detail(request, pk):
          probe()

      @app.before_request
      def tag():
          probe()

      @shared_task(bind=True)
      def export(self, job_id):
          probe()
    `);
    assert.deepEqual(
      infos.map((i) => i.frequency),
      ['repeated', 'repeated', 'repeated', 'repeated'],
    );
    assert.equal(infos[0].reason, 'it runs on every request: `get_user()` is a route handler');
    assert.match(infos[1].reason, /`detail\(\)` takes a request/);
    assert.match(infos[2].reason, /on every request: `tag\(\)` is a `before_request` hook/);
    assert.match(infos[3].reason, /every job or event/);
  });

  it('start-up code runs once: main(), start-up names, hooks, memoized functions', () => {
    assert.deepEqual(
      frequencies(`
        import functools

        def setup_logging():
            probe()

        def main():
            probe()

        @app.on_event("startup")
        async def warm():
            probe()

        @functools.lru_cache(maxsize=None)
        def settings():
            probe()

        if __name__ == "__main__":
            main()
      `),
      ['one-shot', 'one-shot', 'one-shot', 'one-shot'],
    );
  });

  it('a start-up name does not win over a caller that repeats', () => {
    const [info] = at(`
      def configure_request(incoming):
          probe()

      @app.before_request
      def hook():
          configure_request(request)
    `);
    assert.equal(info.frequency, 'repeated');
    assert.match(info.reason, /`configure_request\(\)` is called from `hook\(\)`: it runs on every request/);
  });

  it('callers are followed: in a loop, from repeated code, from several start-up places', () => {
    assert.deepEqual(
      frequencies(`
        def attach(name):
            probe()

        def report(tenants):
            for t in tenants:
                attach(t)

        def watch(path):
            probe()

        def main():
            watch("a")
            watch("b")

        if __name__ == "__main__":
            main()
      `),
      ['repeated', 'one-shot'],
    );
  });

  it('a for loop in start-up code is bounded; a while loop there is the main loop', () => {
    assert.deepEqual(
      frequencies(`
        def main():
            for name in names:
                probe()
            while True:
                probe()
            [probe() for x in xs]
      `),
      ['one-shot', 'repeated', 'one-shot'],
    );
  });

  it('a loop in public API repeats; a comprehension counts as a loop, its first iterable does not', () => {
    assert.deepEqual(
      frequencies(`
        def refresh(items):
            [probe() for x in items]
            return [x for x in probe()]
      `),
      ['repeated', 'unknown'],
    );
  });

  it('public API is unknown, with the callers named; factories and registration helpers say so', () => {
    const infos = at(`
      def attach_console(name):
          probe()

      def make_client(url):
          probe()

      def register_webhook(url):
          probe()
    `);
    assert.deepEqual(
      infos.map((i) => [i.frequency, i.fromName]),
      [
        ['unknown', undefined],
        ['unknown', 'factory'],
        ['import-time', 'registration'],
      ],
    );
    assert.equal(
      infos[0].reason,
      'how often `attach_console()` is called is decided by its callers in other modules',
    );
  });

  it('a registration helper called from a route handler repeats', () => {
    const [info] = at(`
      def register_webhook(url):
          probe()

      @app.post("/hooks")
      def create():
          register_webhook(request.json["url"])
    `);
    assert.equal(info.frequency, 'repeated');
    assert.equal(info.fromName, undefined);
  });

  it('callbacks and handlers repeat; lambdas are callbacks', () => {
    assert.deepEqual(
      frequencies(`
        def greet(conn):
            probe()

        def on_message(msg):
            probe()

        server = Server(on_connection=greet)
        sio.on("connect", lambda sid: probe())
      `),
      ['repeated', 'repeated', 'repeated'],
    );
  });

  it('__init__ runs as often as its class is made', () => {
    const infos = at(`
      class Tracker:
          def __init__(self):
              probe()

      class Config:
          def __init__(self):
              probe()

      class Remote:
          def __init__(self):
              probe()

      @app.get("/track")
      def track():
          return Tracker()

      config = Config()
    `);
    assert.deepEqual(
      infos.map((i) => i.frequency),
      ['repeated', 'one-shot', 'unknown'],
    );
    assert.match(infos[0].reason, /a `Tracker` is made each time: it runs on every request/);
    assert.equal(infos[2].reason, 'how many `Remote` objects are made is decided by code in other modules');
  });

  it('cls(...) in a classmethod makes an instance; a method called on a module-level instance follows that call', () => {
    const model = modelOf(`
      class Runner:
          def __init__(self, job):
              probe()

          @classmethod
          def handle(cls, job):
              cls(job).run()

      class App:
          def discover(self, packages):
              probe()

      app = App()
      app.discover(["a"])
    `);
    const [init, discover] = probes(model).map((p) => runInfoAt(model, p));
    assert.equal(init.frequency, 'repeated');
    assert.equal(discover.frequency, 'import-time');
  });

  it('methods: called from repeated code, handlers, or unknown when their callers are elsewhere', () => {
    assert.deepEqual(
      frequencies(`
        class Server:
            def __init__(self):
                self.hub = Hub()

            async def on_connect(self, ws):
                probe()

            def reload(self):
                probe()

            def serve(self):
                while True:
                    self.tick()

            def tick(self):
                probe()
      `),
      ['repeated', 'unknown', 'repeated'],
    );
  });

  it('tests run once, per-test set-up and function-scoped fixtures repeat, session fixtures run once', () => {
    assert.deepEqual(
      frequencies(
        `
        import pytest

        def test_listen():
            probe()

        class TestOrders:
            def setUp(self):
                probe()

            def test_total(self):
                probe()

        @pytest.fixture
        def records():
            probe()

        @pytest.fixture(scope="session")
        def engine():
            probe()
      `,
        '/proj/tests/test_orders.py',
      ),
      ['one-shot', 'repeated', 'one-shot', 'repeated', 'one-shot'],
    );
  });

  it('framework start-up: AppConfig.ready, management commands, Celery bootsteps', () => {
    assert.deepEqual(
      frequencies(`
        class Orders(AppConfig):
            def ready(self):
                probe()

        class Command(BaseCommand):
            def handle(self, *args, **options):
                probe()

        class Journal(bootsteps.Step):
            def create(self, worker):
                probe()
      `),
      ['one-shot', 'one-shot', 'one-shot'],
    );
  });

  it('data migrations run once: the RunPython signature, or a function handed to RunPython', () => {
    assert.deepEqual(
      frequencies(`
        def forwards(apps, schema_editor):
            probe()

        def backfill(registry, editor):
            probe()

        operations = [migrations.RunPython(backfill)]
      `),
      ['one-shot', 'one-shot'],
    );
  });

  it('one-shot files: scripts, docs, management commands, migrations; tasks.py is not one', () => {
    assert.equal(isOneShotFile('/p/setup.py'), true);
    assert.equal(isOneShotFile('/p/docs/conf.py'), true);
    assert.equal(isOneShotFile('/p/app/management/commands/runscript.py'), true);
    assert.equal(isOneShotFile('/p/app/migrations/0001_initial.py'), true);
    assert.equal(isOneShotFile('/p/pkg/__main__.py'), true);
    assert.equal(isOneShotFile('/p/app/tasks.py'), false);
    assert.equal(isOneShotFile(undefined), false);
    assert.deepEqual(
      frequencies(
        `
        def handle_item(x):
            probe()
      `,
        '/p/app/management/commands/runscript.py',
      ),
      ['one-shot'],
    );
  });

  it('recursion does not loop forever', () => {
    assert.deepEqual(
      frequencies(`
        def walk(node):
            probe()
            for c in node.children:
                walk(c)
      `),
      ['repeated'],
    );
  });

  it('the exported helpers', () => {
    const model = modelOf(`
      class Widget:
          pass

      def view(request):
          return Widget()

      @router.post("/x")
      def create():
          pass
    `);
    const cls = model.scopeFor(model.file.root.descendantsOfType('class_definition')[0] as Node);
    assert.equal(instantiationOf(model, cls).frequency, 'repeated');
    const defs = model.file.root.descendantsOfType('function_definition') as Node[];
    assert.deepEqual(
      defs.map((d) => isRouteHandler(d)),
      [true, true],
    );
    assert.equal(runInfoOfScope(model, model.moduleScope).frequency, 'import-time');
    assert.equal(mayRunRepeatedly({ frequency: 'unknown', reason: '' }), true);
    assert.equal(mayRunRepeatedly({ frequency: 'one-shot', reason: '' }), false);
    assert.ok(ONE_TIME_NAME.test('setup_logging') && ONE_TIME_NAME.test('create_app'));
    assert.ok(PER_CALL_NAME.test('on_message') && !PER_CALL_NAME.test('get_logger'));
    assert.ok(FACTORY_NAME.test('make_client') && !FACTORY_NAME.test('maker'));
  });
  it('receivers of start-up signals run once; other receivers run per event', () => {
    assert.deepEqual(
      frequencies(`
        from django.dispatch import receiver
        from celery.signals import after_setup_logger, task_prerun

        @receiver(django_ready)
        def on_ready(sender, **kw):
            probe()

        @after_setup_logger.connect
        def add_handler(logger=None, **kw):
            probe()

        @receiver(post_save)
        def on_save(sender, **kw):
            probe()

        @task_prerun.connect
        def before_task(**kw):
            probe()
      `),
      ['one-shot', 'one-shot', 'repeated', 'repeated'],
    );
  });

  it('a test_* function in shipped code is a utility, not a test', () => {
    const code = `
      def test_connectivity(host):
          probe()
    `;
    assert.deepEqual(frequencies(code, 'app/common.py'), ['unknown']);
    assert.deepEqual(frequencies(code, 'app/tests.py'), ['one-shot']);
  });
  it('manage.py is a one-shot script only when it has a __main__ block', () => {
    const helpers = `
      def rebuild_search(db):
          probe()
    `;
    assert.deepEqual(frequencies(helpers, 'app/database/manage.py'), ['unknown']);
    const script = `
      def main():
          probe()

      if __name__ == "__main__":
          main()
    `;
    assert.deepEqual(frequencies(script, 'manage.py'), ['one-shot']);
  });
  it('files in a scripts/, script/ or bin/ folder run once per invocation', () => {
    assert.equal(isOneShotFile('tools/scripts/lint.py'), true);
    assert.equal(isOneShotFile('script/build_schema.py'), true);
    assert.equal(isOneShotFile('bin/import_data.py'), true);
    assert.equal(isOneShotFile('app/services/script_runner.py'), false);
    assert.equal(isOneShotFile('app/scripting/engine.py'), false);
    assert.equal(isOneShotFile('app/binary/reader.py'), false);
  });
});
