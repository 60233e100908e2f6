import * as assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { analyzeSource, initEngine } from '../../server/src/engine';
import { applyEdits, dedent } from '../../server/src/fixes/edits';
import { ProjectIndex } from '../../server/src/model/project-index';

describe('project index', () => {
  before(async () => {
    await initEngine();
  });

  it('tells calls at import (module and class bodies, multi-line expressions) from calls in functions', () => {
    const index = new ProjectIndex();
    index.addFile(
      'a.py',
      dedent(`
        log = get_job_logger(__name__)
        settings = dict(
            logger=get_job_logger("x"),
        )

        class Worker:
            helper = make_helper()

            def run(self):
                make_helper()
                if ok(
                    1,
                ):
                    get_other()

        def get_job_logger(name): ...
        def make_helper(): ...
        def get_other(): ...
      `),
    );
    assert.deepEqual(index.callsOf('get_job_logger'), { atImport: 2, inFunctions: 0, inStartUp: 0 });
    assert.deepEqual(index.callsOf('make_helper'), { atImport: 1, inFunctions: 1, inStartUp: 0 });
    assert.deepEqual(index.callsOf('get_other'), { atImport: 0, inFunctions: 1, inStartUp: 0 });
    assert.deepEqual(index.callsOf('get_job_logger', 'a.py'), { atImport: 0, inFunctions: 0, inStartUp: 0 });
  });

  it('reads calls and brackets from code only: not from docstrings, strings or comments', () => {
    const index = new ProjectIndex();
    index.addFile(
      'a.py',
      dedent(`
        def describe(item):
            """Returns JSON such as {"items": [ ... (and never closes the bracket.

            def fake_def():
                in_docstring()
            """
            label = "call_in_string(" + 'more(('  # comment_call(
            return respond(label)

        registry = make_registry()

        @register_view("x")
        def view(): ...

        def respond(x): ...
        def make_registry(): ...
        def register_view(n): ...
      `),
    );
    // The docstring's open brackets do not make the later module-level lines a continuation of
    // the function's statement, so they are calls at import.
    assert.deepEqual(index.callsOf('make_registry'), { atImport: 1, inFunctions: 0, inStartUp: 0 });
    assert.deepEqual(index.callsOf('register_view'), { atImport: 1, inFunctions: 0, inStartUp: 0 });
    assert.deepEqual(index.callsOf('respond'), { atImport: 0, inFunctions: 1, inStartUp: 0 });
    for (const name of ['in_docstring', 'call_in_string', 'more', 'comment_call'])
      assert.deepEqual(index.callsOf(name), { atImport: 0, inFunctions: 0, inStartUp: 0 }, name);
  });

  it('answers for the files as they are now after files are added, replaced or removed', () => {
    const index = new ProjectIndex();
    index.addFile('lib.py', 'def helper(): ...\n');
    index.addFile('a.py', 'x = helper()\n');
    assert.deepEqual(index.callsOf('helper', 'lib.py'), { atImport: 1, inFunctions: 0, inStartUp: 0 });
    index.addFile('b.py', 'def f():\n    helper()\n');
    assert.deepEqual(index.callsOf('helper', 'lib.py'), { atImport: 1, inFunctions: 1, inStartUp: 0 });
    index.addFile('a.py', 'y = 1\n');
    assert.deepEqual(index.callsOf('helper', 'lib.py'), { atImport: 0, inFunctions: 1, inStartUp: 0 });
    index.removeFile('b.py');
    assert.deepEqual(index.callsOf('helper', 'lib.py'), { atImport: 0, inFunctions: 0, inStartUp: 0 });
    index.addFile('c.py', 'z = helper() + helper()\n');
    index.compact();
    assert.deepEqual(index.callsOf('helper', 'lib.py'), { atImport: 2, inFunctions: 0, inStartUp: 0 });
  });

  it('knows when the project defines a registration method that keeps listeners weakly', () => {
    const index = new ProjectIndex();
    index.addFile(
      'options.py',
      dedent(`
        import weakref

        class Options:
            def subscribe(self, func, names):
                self._subs.append((weakref.WeakMethod(func), names))

            def connect(self, url):
                return open_connection(url)
      `),
    );
    assert.equal(index.holdsWeakly('subscribe'), true);
    assert.equal(index.holdsWeakly('connect'), false);
    const other = new ProjectIndex();
    other.addFile('bus.py', 'class Bus:\n    def subscribe(self, f):\n        self.fs.append(f)\n');
    assert.equal(other.holdsWeakly('subscribe'), false);
  });

  it('survives a JSON round trip (the CLI hands it to worker threads)', () => {
    const index = new ProjectIndex();
    index.addFile('a.py', 'x = build()\ndef build(): ...\n');
    index.compact();
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    assert.deepEqual(copy.callsOf('build'), { atImport: 1, inFunctions: 0, inStartUp: 0 });
  });

  const helper = dedent(`
    import logging

    def get_job_logger(name):
        logger = logging.getLogger("jobs." + name)
        logger.addHandler(logging.StreamHandler())
        return logger
  `);

  it('LEAK005: a logger helper called only at import in the other modules is silent', () => {
    const project = new ProjectIndex();
    project.addFile('jobs/helpers.py', helper);
    project.addFile(
      'jobs/tasks.py',
      'from jobs.helpers import get_job_logger\nlogger = get_job_logger(__name__)\n',
    );
    const findings = analyzeSource(helper, { path: 'jobs/helpers.py', project }).findings;
    assert.deepEqual(
      findings.map((f) => f.code),
      [],
    );
  });

  it('LEAK005: the same helper called per job elsewhere, or with no index, is still reported', () => {
    const project = new ProjectIndex();
    project.addFile('jobs/helpers.py', helper);
    project.addFile(
      'jobs/tasks.py',
      'from jobs.helpers import get_job_logger\ndef run(job):\n    get_job_logger(job.id).info("start")\n',
    );
    const withIndex = analyzeSource(helper, { path: 'jobs/helpers.py', project }).findings;
    assert.deepEqual(
      withIndex.map((f) => f.code),
      ['LEAK005'],
    );
    const alone = analyzeSource(helper, { path: 'jobs/helpers.py' }).findings;
    assert.deepEqual(
      alone.map((f) => f.code),
      ['LEAK005'],
    );
  });

  it("LEAK005: a subscription through the project's weak subscribe() (defined in another module) is silent", () => {
    const widget = dedent(`
      class Panel:
          def __init__(self, options):
              self.options = options
              self.options.subscribe(self.refresh, ["theme"])

          def refresh(self, *names): ...
    `);
    const alone = analyzeSource(widget, { path: 'ui/panel.py' }).findings.filter((f) => f.code === 'LEAK005');
    assert.equal(alone.length, 1, 'reported without knowledge of the emitter');
    const project = new ProjectIndex();
    project.addFile(
      'core/options.py',
      'import weakref\nclass Options:\n    def subscribe(self, func, names):\n        self.subs.append(weakref.WeakMethod(func))\n',
    );
    const findings = analyzeSource(widget, { path: 'ui/panel.py', project }).findings;
    assert.deepEqual(
      findings.filter((f) => f.code === 'LEAK005'),
      [],
    );
  });
  it('a helper run once from this module but called from functions in other modules is theirs to decide', () => {
    const text = dedent(`
      from sqlalchemy import create_engine

      def at_head(url):
          engine = create_engine(url)
          with engine.connect() as conn:
              return check(conn)

      if __name__ == "__main__":
          at_head("sqlite://")
    `);
    const alone = analyzeSource(text, { path: 'db/head.py' }).findings.filter((f) => f.code === 'LEAK004');
    assert.deepEqual(
      alone.map((f) => f.severity),
      ['hint'],
      'run once, from the __main__ block',
    );
    const project = new ProjectIndex();
    project.addFile('db/head.py', text);
    project.addFile(
      'app/startup.py',
      'from db.head import at_head\ndef restore(url):\n    return at_head(url)\n',
    );
    const withIndex = analyzeSource(text, { path: 'db/head.py', project }).findings.filter(
      (f) => f.code === 'LEAK004',
    );
    assert.equal(withIndex.length, 1);
    assert.notEqual(withIndex[0].severity, 'hint', 'its callers elsewhere decide: no longer a one-shot hint');
  });
  it('LEAK003: a cycle in a class nothing in the project makes is a hint; made by a view of another module, a warning; by a helper there, information', () => {
    const tree = dedent(`
      class Tree:
          def __init__(self):
              self.nodes = []

          def add(self, node):
              node.tree = self
              self.nodes.append(node)
    `);
    const severity = (project?: ProjectIndex) =>
      analyzeSource(tree, { path: 'common/tree.py', project })
        .findings.filter((f) => f.code === 'LEAK003')
        .map((f) => f.severity);
    assert.deepEqual(severity(), ['information'], 'without an index: made elsewhere, unknowable');
    const unmade = new ProjectIndex();
    unmade.addFile('common/tree.py', tree);
    unmade.addFile(
      'app/views.py',
      'from common.tree import TreeNode\ndef view(request):\n    return TreeNode()\n',
    );
    assert.deepEqual(severity(unmade), ['hint']);
    const made = new ProjectIndex();
    made.addFile('common/tree.py', tree);
    made.addFile('app/views.py', 'from common.tree import Tree\ndef view(request):\n    return Tree()\n');
    assert.deepEqual(severity(made), ['warning'], 'made per request by a view of another module');
    const madeByHelper = new ProjectIndex();
    madeByHelper.addFile('common/tree.py', tree);
    madeByHelper.addFile(
      'app/build.py',
      'from common.tree import Tree\ndef build(nodes):\n    return Tree()\n',
    );
    assert.deepEqual(severity(madeByHelper), ['information'], 'made by a helper whose callers are unknown');
    const derived = new ProjectIndex();
    derived.addFile('common/tree.py', tree);
    derived.addFile('app/trees.py', 'from common.tree import Tree\nclass AssetTree(Tree):\n    pass\n');
    assert.deepEqual(severity(derived), ['information'], 'a subclass may be what is made');
    // A class of the same name imported from another module is not this one.
    const namesake = new ProjectIndex();
    namesake.addFile('common/tree.py', tree);
    namesake.addFile('rbac/tree.py', 'from treelib import Tree\nclass CounterTree(Tree):\n    pass\n');
    namesake.addFile(
      'assets/walk.py',
      'from assets.tree import (\n    Node,\n    Tree,\n)\ndef walk(request):\n    return Tree()\n',
    );
    assert.deepEqual(severity(namesake), ['hint'], 'treelib.Tree and assets.tree.Tree are other classes');
  });

  it("LEAK003: GUI classes through the project's hierarchy (a base that is a Qt dialog elsewhere, a mixin or a base only Qt classes derive from) are hints", () => {
    const severity = (path: string, code: string, project: ProjectIndex) =>
      analyzeSource(code, { path, project })
        .findings.filter((f) => f.code === 'LEAK003')
        .map((f) => `${f.severity}: ${f.message.replace(/^.*harmless in practice: /, '')}`);
    const dialog = dedent(`
      from gui.base import ModalDialog

      class InfoDialog(ModalDialog):
          def __init__(self, wallet):
              super().__init__()
              self.ask = lambda: self.wallet.locked()
    `);
    const base = 'from PyQt6 import QtWidgets\nclass ModalDialog(QtWidgets.QDialog):\n    pass\n';
    const indexOf = (files: Record<string, string>) => {
      const index = new ProjectIndex();
      for (const [path, text] of Object.entries(files)) index.addFile(path, text);
      return index;
    };
    const index = indexOf({
      'gui/base.py': base,
      'gui/info.py': dialog,
      'gui/menu.py': 'from gui.info import InfoDialog\ndef open_info(w):\n    return InfoDialog(w)\n',
    });
    assert.deepEqual(severity('gui/info.py', dialog, index), [
      'hint: `InfoDialog` derives from `ModalDialog`, a `PyQt6.QtWidgets` class: its objects are made as the user interacts',
    ]);
    // A toolkit-free base (a mixin, a wizard's logic) that only Qt classes of the project derive from.
    const logic = dedent(`
      class FlowLogic:
          def __init__(self):
              self.routes = {"a": {"next": lambda d: self.pick(d)}, "b": {"next": lambda d: self.pick(d)}}

          def pick(self, d):
              return d
    `);
    const qt =
      'from PyQt6.QtWidgets import QDialog\nfrom core.flow import FlowLogic\nclass FlowDialog(FlowLogic, QDialog):\n    pass\n';
    const derived = indexOf({
      'core/flow.py': logic,
      'gui/flow.py': qt,
      'gui/menu.py': 'from gui.flow import FlowDialog\ndef open_flow():\n    return FlowDialog()\n',
    });
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(derived.toJSON())));
    assert.deepEqual(severity('core/flow.py', logic, copy), [
      'hint: nothing makes a `FlowLogic` itself and every class derived from it in the project is a GUI class (`FlowDialog`): its objects are made as the user interacts',
    ]);
    // A subclass that is not a GUI class, or the base made itself: the objects may be anything.
    const others = {
      'cli/flow.py':
        'from core.flow import FlowLogic\nclass TextFlow(FlowLogic):\n    pass\ndef run():\n    return TextFlow()\n',
      'cli/run.py': 'from core.flow import FlowLogic\ndef run():\n    return FlowLogic()\n',
    };
    for (const [path, text] of Object.entries(others)) {
      const mixed = indexOf({ 'core/flow.py': logic, 'gui/flow.py': qt, [path]: text });
      assert.deepEqual(
        severity('core/flow.py', logic, mixed).map((s) => s.split(':')[0]),
        ['information'],
        path,
      );
    }
  });

  it("LEAK001: a registration helper this module calls only at import stays import-time, whatever other modules' functions call by that name; a route handler calling it makes it repeated, but keys with no sign of traffic stay unreported", () => {
    const registry = dedent(`
      import os

      PARSERS = {}


      def register(parser_type):
          for scan_type in parser_type().get_scan_types():
              register_parser(scan_type, parser_type())


      def register_parser(scan_type, parser):
          PARSERS[scan_type] = parser


      for name in os.listdir(os.path.dirname(__file__)):
          register(load_parser(name))
    `);
    const leak001 = (other: string) => {
      const index = new ProjectIndex();
      index.addFile('tools/factory.py', registry);
      index.addFile('app/admin.py', other);
      return analyzeSource(registry, { path: 'tools/factory.py', project: index }).findings.filter(
        (f) => f.code === 'LEAK001',
      );
    };
    assert.deepEqual(leak001('def admin_views(site):\n    site.register(Finding)\n'), []);
    const perRequest = leak001(
      'from tools.factory import register\ndef add(request):\n    register(request.parser)\n',
    );
    // Repeated now, but nothing shows that its keys (the scan types a parser class lists) come
    // with the traffic: without that evidence the growth is not reported.
    assert.equal(perRequest.length, 0);
  });

  it('LEAK001: a memo keyed by a parameter typed with an enum of another module is bounded', () => {
    const factory = dedent(`
      from fastapi import FastAPI

      from app.constants import Source

      app = FastAPI()
      _classes = {}

      @app.get("/classes/{source}")
      def load_class(source: Source):
          if source not in _classes:
              _classes[source] = import_class(source)
          return _classes[source]
    `);
    const findings = (project?: ProjectIndex) =>
      analyzeSource(factory, { path: '/p/app/factory.py', project }).findings.filter(
        (f) => f.code === 'LEAK001',
      );
    const withConstants = (constants: string) => {
      const index = new ProjectIndex();
      index.addFile('/p/app/factory.py', factory);
      index.addFile('/p/app/base.py', 'from enum import Enum\nclass BaseEnum(str, Enum):\n    pass\n');
      index.addFile('/p/app/constants.py', constants);
      index.compact();
      return index;
    };
    assert.equal(findings().length, 1, 'without an index the type is unknown');
    assert.equal(findings(withConstants('class Source(str, Enum):\n    WEB = "web"\n')).length, 0);
    assert.equal(
      findings(withConstants('class Source(BaseEnum):\n    WEB = "web"\n')).length,
      0,
      'an enum through the project base',
    );
    assert.equal(
      findings(withConstants('class Source:\n    pass\n')).length,
      1,
      'a plain class is not a closed set',
    );
  });

  it('records which calls are made by a route handler, a view or a task of the calling file', () => {
    const index = new ProjectIndex();
    index.addFile(
      '/p/app/views.py',
      dedent(`
        from app.cache import get_user, get_plan, get_flag, get_team, get_org

        @router.get(
            "/users/{user_id}",
        )
        async def user_detail(user_id: int):
            return await get_user(user_id)

        def plan_view(request, pk):
            return get_plan(pk)

        class TeamView(View):
            def get(self, request):
                return get_team(request.GET["t"])

        @shared_task
        def refresh(org_id):
            get_org(org_id)

        @functools.cache
        def helper(x):
            return get_flag(x)
      `),
    );
    index.addFile(
      '/p/app/cache.py',
      'def get_user(i): ...\ndef get_plan(i): ...\ndef get_flag(i): ...\ndef get_team(i): ...\ndef get_org(i): ...\n',
    );
    index.compact();
    const why = (name: string) => {
      const r = index.callsOf(name, '/p/app/cache.py').repeatedIn;
      return r ? `${r.caller} ${r.why}` : undefined;
    };
    assert.equal(why('get_user'), 'user_detail a route handler');
    assert.equal(why('get_plan'), 'plan_view a view (it takes the request)');
    assert.equal(why('get_team'), 'get a view (it takes the request)');
    assert.equal(why('get_org'), 'refresh a task');
    assert.equal(why('get_flag'), undefined, 'a cached helper is not a handler');
    assert.equal(
      index.callsOf('get_user', '/p/other/cache.py').repeatedIn,
      undefined,
      'imported from app.cache',
    );
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    assert.equal(copy.callsOf('get_user', '/p/app/cache.py').repeatedIn?.caller, 'user_detail');
  });

  it('LEAK001/LEAK002: growth in a helper is sure (warning) when a route handler elsewhere calls it, information otherwise', () => {
    const cache = dedent(`
      _users = {}
      _seen = []

      async def get_user(user_id):
          if user_id not in _users:
              _users[user_id] = await load_user(user_id)
          _seen.append(user_id)
          return _users[user_id]
    `);
    const findings = (project?: ProjectIndex) =>
      analyzeSource(cache, { path: '/p/app/cache.py', project })
        .findings.filter((f) => f.code === 'LEAK001' || f.code === 'LEAK002')
        .map((f) => `${f.code} ${f.severity}: ${f.message.slice(f.message.lastIndexOf(' (') + 1)}`);
    const calledBy = (caller: string) => {
      const index = new ProjectIndex();
      index.addFile('/p/app/cache.py', cache);
      index.addFile('/p/app/views.py', `from app.cache import get_user\n${caller}\n    return get_user(1)\n`);
      index.compact();
      return index;
    };
    const unknown = '(how often `get_user()` is called is decided by its callers in other modules';
    // A keyed cache names its key first: the count of distinct keys decides, not of calls.
    const keys = `${unknown})`;
    assert.deepEqual(findings(), [`LEAK001 information: ${keys}`, `LEAK002 information: ${unknown})`]);
    const unsure = analyzeSource(cache, { path: '/p/app/cache.py' }).findings.find(
      (f) => f.code === 'LEAK001',
    );
    assert.match(
      unsure?.message ?? '',
      /never evicted: it keeps an entry for every distinct `user_id` it is given for the life of the process, and how many distinct values its callers pass cannot be known here \(/,
    );
    assert.deepEqual(findings(calledBy('def compute(x):')), [
      `LEAK001 information: ${keys}`,
      `LEAK002 information: ${unknown})`,
    ]);
    const viaRoute = '(`get_user()` is called from `show()` in app/views.py, a route handler)';
    assert.deepEqual(findings(calledBy('@app.get("/u")\nasync def show():')), [
      `LEAK001 warning: ${viaRoute}`,
      `LEAK002 warning: ${viaRoute}`,
    ]);
  });

  it('LEAK001: a helper that other modules call only from start-up code (init(), main()) runs once: not reported', () => {
    const config = dedent(`
      _loaded = {}

      def load_config(path):
          if path not in _loaded:
              _loaded[path] = parse(path)
          return _loaded[path]
    `);
    // The same helper keyed by a user's id: growth with traffic the key shows, whoever calls it.
    const perUser = config.replace(/\bpath\b/g, 'user_id');
    const calledBy = (caller: string, source = config) => {
      const index = new ProjectIndex();
      index.addFile('/p/app/config.py', source);
      index.addFile(
        '/p/app/boot.py',
        `from app.config import load_config\n${caller}\n    return load_config("a.toml")\n`,
      );
      index.compact();
      return index;
    };
    const leak001 = (project: ProjectIndex, source = config) =>
      analyzeSource(source, { path: '/p/app/config.py', project }).findings.filter(
        (f) => f.code === 'LEAK001',
      );
    const index = calledBy('def init():');
    assert.deepEqual(index.callsOf('load_config', '/p/app/config.py'), {
      atImport: 0,
      inFunctions: 1,
      inStartUp: 1,
      startUpCaller: { path: '/p/app/boot.py', caller: 'init' },
    });
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    assert.equal(copy.callsOf('load_config', '/p/app/config.py').inStartUp, 1);
    assert.deepEqual(leak001(index), []);
    assert.deepEqual(leak001(calledBy('def setup_app(app):')), []);
    assert.deepEqual(leak001(calledBy('def init():', perUser), perUser), []);
    // A worker's run() loop and an object's __init__ are not start-up code: how often they run is
    // unknown, so a key that shows traffic is reported; a key that shows nothing (`path`) is not,
    // as neither fact is known (the project's callers were read, none repeats).
    for (const caller of ['def run(self):', 'def __init__(self):', 'def compute(x):']) {
      assert.equal(leak001(calledBy(caller, perUser), perUser).length, 1, caller);
      assert.deepEqual(leak001(calledBy(caller)), [], caller);
    }
  });

  it('LEAK002: a function used as a bare decorator counts as called there: in a setup function of another module, once', () => {
    const processors = dedent(`
      _processors = []

      def add_processor(fn):
          _processors.append(fn)
    `);
    const usedIn = (caller: string) => {
      const index = new ProjectIndex();
      index.addFile('/p/sdk/scope.py', processors);
      index.addFile(
        '/p/sdk/integration.py',
        `from sdk.scope import add_processor\n\nclass Integration:\n    @staticmethod\n    ${caller}\n        @add_processor\n        def process(event):\n            return event\n`,
      );
      index.compact();
      return index;
    };
    const leak002 = (project: ProjectIndex) =>
      analyzeSource(processors, { path: '/p/sdk/scope.py', project }).findings.filter(
        (f) => f.code === 'LEAK002',
      );
    const once = usedIn('def setup_once():');
    assert.deepEqual(once.callsOf('add_processor', '/p/sdk/scope.py'), {
      atImport: 0,
      inFunctions: 1,
      inStartUp: 1,
      startUpCaller: { path: '/p/sdk/integration.py', caller: 'setup_once' },
    });
    assert.deepEqual(leak002(once), []);
    // Decorating in a function that is not start-up code: its callers decide, information.
    const unknown = leak002(usedIn('def build(kind):'));
    assert.equal(unknown.length, 1);
    assert.equal(unknown[0].severity, 'information');
  });

  it('LEAK001: a @cache on a function with defaults that every call in the project makes without arguments holds one result', () => {
    const common = dedent(`
      import functools
      import sys

      @functools.cache
      def is_testing(argv=None):
          argv = sys.argv if argv is None else argv
          return "pytest" in argv[0]

      def timed(fn):
          def wrapper(*args, **kwargs):
              if not is_testing():
                  record(fn)
              return fn(*args, **kwargs)
          return wrapper
    `);
    const calledAs = (call: string) => {
      const index = new ProjectIndex();
      index.addFile('/p/app/common.py', common);
      index.addFile(
        '/p/app/tasks.py',
        `from app.common import is_testing\n\ndef run(job):\n    if ${call}:\n        return\n`,
      );
      index.compact();
      return ProjectIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    };
    const leak001 = (project?: ProjectIndex) =>
      analyzeSource(common, { path: '/p/app/common.py', project }).findings.filter(
        (f) => f.code === 'LEAK001',
      );
    assert.equal(calledAs('is_testing()').calledOnlyWithoutArguments('is_testing', '/p/app/common.py'), true);
    assert.deepEqual(leak001(calledAs('is_testing()')), []);
    // One caller elsewhere passes an argument, or no index says what the others pass: reported.
    assert.equal(leak001(calledAs('is_testing(job.argv)')).length, 1);
    assert.equal(leak001().length, 1);
  });

  it('LEAK005: a handler added in __init__ of a class a view of another module makes is a warning naming that view (alone, a hint)', () => {
    const audit = dedent(`
      import logging

      audit = logging.getLogger("audit")

      class AuditTrail:
          def __init__(self, stream):
              self.handler = logging.StreamHandler(stream)
              audit.addHandler(self.handler)
    `);
    const leak005 = (project?: ProjectIndex) =>
      analyzeSource(audit, { path: '/p/app/audit.py', project })
        .findings.filter((f) => f.code === 'LEAK005')
        .map((f) => [f.severity, f.message.slice(f.message.indexOf(' — ') + 3)]);
    // Alone, nothing shows that more than one is made: a hint.
    assert.deepEqual(leak005(), [
      ['hint', 'how many `AuditTrail` objects are made is decided by code in other modules'],
    ]);
    const index = new ProjectIndex();
    index.addFile('/p/app/audit.py', audit);
    index.addFile(
      '/p/app/views.py',
      'from app.audit import AuditTrail\ndef order_view(request):\n    AuditTrail(request.stream)\n',
    );
    index.compact();
    assert.deepEqual(leak005(index), [
      ['warning', 'an `AuditTrail` is made in `order_view()` in app/views.py, a view (it takes the request)'],
    ]);
  });

  it('counts a call of an imported name only where the import can be the asking module', () => {
    const index = new ProjectIndex();
    index.addFile('/proj/src/shop/tree.py', 'class Tree: ...\n');
    const callers: [string, string][] = [
      ['/proj/src/shop/views.py', 'from shop.tree import Tree'], // the module itself
      ['/proj/src/shop/api.py', 'from shop import Tree'], // the package, which may re-export it
      ['/proj/src/shop/rel.py', 'from .tree import Tree'], // relative to the caller
      ['/proj/src/shop/sub/deep.py', 'from ..tree import Tree'],
      ['/proj/src/other/a.py', 'from treelib import Tree'], // another library
      ['/proj/src/other/b.py', 'from other.tree import Tree'], // another module of the project
      ['/proj/src/other/c.py', 'from shop.tree import Node as Tree'], // another name under this one
      ['/proj/src/other/d.py', 'from .tree import Tree'], // src/other/tree.py
      ['/proj/src/other/e.py', ''], // not imported: could be anything, counted
    ];
    for (const [path, line] of callers) index.addFile(path, `${line}\ndef f():\n    return Tree()\n`);
    index.compact();
    assert.deepEqual(index.callsOf('Tree', '/proj/src/shop/tree.py'), {
      atImport: 0,
      inFunctions: 5,
      inStartUp: 0,
    });
    assert.deepEqual(index.callsOf('Tree', pathToFileURL('/proj/src/shop/tree.py').href).inFunctions, 5);
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    assert.deepEqual(copy.callsOf('Tree', '/proj/src/shop/tree.py'), {
      atImport: 0,
      inFunctions: 5,
      inStartUp: 0,
    });
    assert.equal(copy.isBase('Tree', '/proj/src/shop/tree.py'), false);
  });
  it('counts calls in ready() of an AppConfig (directly or through a project base) as start-up, and survives a copy', () => {
    const index = new ProjectIndex();
    index.addFile(
      'core/apps.py',
      'from django import apps\nclass CoreConfig(apps.AppConfig):\n    def ready(self):\n        pass\n',
    );
    index.addFile(
      'shop/apps.py',
      dedent(`
        from core.apps import CoreConfig
        from shop.menu import MenuItem


        class ShopConfig(CoreConfig):
            def ready(self):
                MenuItem("cart")
                MenuItem("orders")


        class Widget:
            def ready(self):
                MenuItem("widget")
      `),
    );
    const counts = index.callsOf('MenuItem', 'shop/menu.py');
    assert.equal(counts.inFunctions, 3);
    assert.equal(counts.inStartUp, 2, 'ready() of a class that is not an AppConfig is not start-up');
    assert.equal(counts.startUpCaller?.caller, 'ShopConfig.ready');
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    assert.deepEqual(copy.callsOf('MenuItem', 'shop/menu.py'), counts);
  });

  it('counts argparse sub-commands and click commands as start-up callers; an override calling super() adds no caller', () => {
    const index = new ProjectIndex();
    index.addFile(
      'tool/cli.py',
      dedent(`
        import argparse


        def cmd_sync(args):
            prepare_output(args)


        def main():
            parser = argparse.ArgumentParser()
            sub = parser.add_subparsers()
            sub.add_parser("sync").set_defaults(action=("sync", cmd_sync))
      `),
    );
    index.addFile(
      'tool/web.py',
      dedent(`
        import click


        @click.command()
        def serve():
            prepare_output(None)
      `),
    );
    index.addFile(
      'tool/loaders.py',
      dedent(`
        class Base:
            def load_all(self):
                pass


        class Child(Base):
            def load_all(self):
                super().load_all()
      `),
    );
    const output = index.callsOf('prepare_output', 'tool/output.py');
    assert.equal(output.inFunctions, 2);
    assert.equal(output.inStartUp, 2);
    assert.equal(index.callsOf('load_all', 'tool/other.py').inFunctions, 0);
  });

  it('LEAK001: a registry written by __init__ is silent when every object is made in ready() of an AppConfig elsewhere or through a subclass made at import', () => {
    const registry = dedent(`
      class Panel:
          _by_session = {}

          def __init__(self, session_id):
              self.session_id = session_id
              self.__class__._by_session[session_id] = self
    `);
    const findings = (project: ProjectIndex) =>
      analyzeSource(registry, { path: 'ui/panels.py', project }).findings.filter((f) => f.code === 'LEAK001');
    const perView = new ProjectIndex();
    perView.addFile('ui/panels.py', registry);
    perView.addFile(
      'ui/views.py',
      'from ui.panels import Panel\ndef show(request):\n    return Panel(request.GET["p"])\n',
    );
    assert.equal(findings(perView).length, 1, 'made by a view of another module: reported');
    const ready = new ProjectIndex();
    ready.addFile('ui/panels.py', registry);
    ready.addFile(
      'core/base.py',
      'from django.apps import AppConfig\nclass BaseConfig(AppConfig):\n    pass\n',
    );
    ready.addFile(
      'ui/apps.py',
      'from core.base import BaseConfig\nfrom ui.panels import Panel\nclass UiConfig(BaseConfig):\n    def ready(self):\n        Panel("left")\n',
    );
    assert.deepEqual(findings(ready), []);
    const subclass = new ProjectIndex();
    subclass.addFile('ui/panels.py', registry);
    subclass.addFile('ui/side.py', 'from ui.panels import Panel\nclass SidePanel(Panel):\n    pass\n');
    subclass.addFile(
      'ui/layout.py',
      'from ui.side import SidePanel\nSidePanel("left")\nSidePanel("right")\n',
    );
    assert.deepEqual(findings(subclass), []);
    const perRequest = new ProjectIndex();
    perRequest.addFile('ui/panels.py', registry);
    perRequest.addFile('ui/side.py', 'from ui.panels import Panel\nclass SidePanel(Panel):\n    pass\n');
    perRequest.addFile(
      'ui/views.py',
      'from ui.side import SidePanel\ndef show(request):\n    SidePanel(request.GET["p"])\n',
    );
    assert.match(
      findings(perRequest)[0]?.message ?? '',
      /made through its subclasses: a `SidePanel` is made in `show\(\)`/,
      'a subclass made per request grows it',
    );
  });
  it("LEAK001: another module's dict imported by name and grown per request here is reported at the import, with a fix that bounds it here; one its module empties is not", () => {
    const views = dedent(`
      from shop.caches import _totals


      def cart_total(cart):
          if cart.id not in _totals:
              _totals[cart.id] = sum(i.price for i in cart.items)
          return _totals[cart.id]


      def cart_view(request, cart):
          return cart_total(cart)
    `);
    const findings = (caches: string) => {
      const project = new ProjectIndex();
      project.addFile('/p/shop/caches.py', caches);
      project.addFile('/p/shop/views.py', views);
      return analyzeSource(views, { path: '/p/shop/views.py', project }).findings.filter(
        (f) => f.code === 'LEAK001',
      );
    };
    const [found, ...rest] = findings('_totals = {}\n_names: dict = {}\n');
    assert.equal(rest.length, 0);
    assert.equal(found.range.start.line, 0);
    assert.match(
      found.message,
      /`_totals` \(a module-level dict of shop\/caches.py\) is written in `cart_total\(\)`/,
    );
    assert.ok(found.fixes[0], 'it has a fix');
    const fixed = applyEdits(views, found.fixes[0].edits);
    assert.match(fixed, /if len\(_totals\) > \d+:/);
    const project = new ProjectIndex();
    project.addFile('/p/shop/caches.py', '_totals = {}\n');
    project.addFile('/p/shop/views.py', fixed);
    assert.deepEqual(
      analyzeSource(fixed, { path: '/p/shop/views.py', project }).findings.filter(
        (f) => f.code === 'LEAK001',
      ),
      [],
      'the fix silences it',
    );
    const copy = ProjectIndex.fromJSON(JSON.parse(JSON.stringify(project.toJSON())));
    assert.equal(copy.importedDict('/p/shop/views.py', 'shop.caches', '_totals'), '/p/shop/caches.py');
    assert.equal(copy.importedDict('/p/shop/views.py', '.caches', '_totals'), '/p/shop/caches.py');
    assert.equal(copy.importedDict('/p/shop/views.py', 'other.caches', '_totals'), undefined);
    assert.deepEqual(
      findings('_totals = {}\n\ndef reset():\n    _totals.clear()\n'),
      [],
      'emptied where it is defined',
    );
    assert.deepEqual(findings('_totals = load_totals()\n'), [], 'not an empty dict');
  });

  it('LEAK001: a dict that another module imports by name is read there (a registry): no bound is offered; alone, the memo keeps its fix', () => {
    const registry = dedent(`
      _loaders = {}


      def loader_for(kind):
          if kind not in _loaders:
              _loaders[kind] = make_loader(kind)
          return _loaders[kind]


      def serve(queue):
          while True:
              loader_for(queue.get())
    `);
    const reader = 'from .registry import _loaders\n\n\ndef run(kind):\n    return _loaders[kind]()\n';
    const leak001 = (project?: ProjectIndex) =>
      analyzeSource(registry, { path: '/p/app/registry.py', project }).findings.filter(
        (f) => f.code === 'LEAK001',
      );
    const [alone] = leak001();
    assert.ok(alone?.fixes.length, 'a read-through memo alone gets a bound');
    const project = new ProjectIndex();
    project.addFile('/p/app/registry.py', registry);
    project.addFile('/p/app/run.py', reader);
    project.compact();
    assert.ok(project.dictImportedElsewhere('_loaders', '/p/app/registry.py'));
    assert.ok(!project.dictImportedElsewhere('_loaders', '/p/app/run.py'));
    const copy = ProjectIndex.merge([project.toJSON()]);
    assert.ok(copy.dictImportedElsewhere('_loaders', '/p/app/registry.py'), 'kept through a merge');
    const [found] = leak001(copy);
    assert.ok(found, 'still reported');
    assert.deepEqual(found.fixes, []);
  });

  it('merges indexes of shares of the files into the index of all of them, in their order', () => {
    const files: [string, string][] = [
      [
        '/p/a.py',
        'from x import Base\n\nclass Color(Enum):\n    RED = 1\n\nlog = get_job_logger(__name__)\n',
      ],
      [
        '/p/b.py',
        'import weakref\n\n\nclass Bus:\n    def subscribe(self, f):\n        self.fs.add(weakref.ref(f))\n',
      ],
      [
        '/p/c.py',
        'def get_job_logger(name):\n    return make(name)\n\n\ndef make(n): ...\n\n\ndef helper(): ...\n',
      ],
      [
        '/p/d.py',
        '@app.get("/x")\ndef show(request):\n    get_job_logger("x")\n\n\ndef main():\n    make(1)\n',
      ],
      [
        '/p/e.py',
        'class Shade(Color):\n    pass\n\n\nclass Bus2:\n    def subscribe(self, f):\n        self.fs.append(f)\n',
      ],
      ['/p/f.py', 'from .c import make\n\nmake(2)\nprint(len([]))\nhelper()\n'],
    ];
    const whole = new ProjectIndex();
    for (const [path, text] of files) whole.addFile(path, text);
    whole.compact();
    const share = (from: number, to: number) => {
      const part = new ProjectIndex();
      for (const [path, text] of files.slice(from, to)) part.addFile(path, text);
      return part.toJSON();
    };
    const merged = ProjectIndex.merge([share(0, 2), share(2, 5), share(5, 6)]);
    assert.equal(merged.serialize(), whole.serialize());
    assert.deepEqual(merged.callsOf('get_job_logger'), whole.callsOf('get_job_logger'));
    assert.ok(merged.callsOf('get_job_logger').repeatedIn, 'a route handler of another share calls it');
    assert.equal(merged.isEnum('Shade'), true, 'an enum through a base of another share');
    assert.equal(merged.holdsWeakly('subscribe'), false, 'one definition of another share holds strongly');
    assert.equal(merged.calledOnlyWithoutArguments('helper', '/p/c.py'), true);
    assert.equal(merged.calledOnlyWithoutArguments('make', '/p/c.py'), false);
    // The serialized form goes between threads as it is.
    assert.equal(ProjectIndex.deserialize(merged.serialize()).serialize(), whole.serialize());
  });
  it('counts as start-up callers: script files, memoized getters of process-wide classes, their constructors and what those call on self', () => {
    const index = new ProjectIndex();
    index.addFile('tool/scripts/start.py', 'def follow(path):\n    return Watcher(path)\n');
    index.addFile(
      'app/server.py',
      dedent(`
        from functools import cached_property

        class HubServer(Base):
            def __init__(self):
                self.boot()

            def boot(self):
                self.web = WebService()

            def later(self):
                return Reporter()

            @cached_property
            def sender(self):
                return Sender(self)

        class Job:
            @cached_property
            def sender(self):
                return Mailer(self)
      `),
    );
    const startUp = (name: string) => {
      const c = index.callsOf(name, 'lib.py');
      return [c.inFunctions, c.inStartUp];
    };
    assert.deepEqual(startUp('Watcher'), [1, 1], 'a function of a script');
    assert.deepEqual(startUp('WebService'), [1, 1], 'a method the constructor of a server calls on self');
    assert.deepEqual(startUp('Sender'), [1, 1], 'a memoized getter of a server');
    assert.deepEqual(startUp('Reporter'), [1, 0], 'a method the constructor does not call');
    assert.deepEqual(startUp('Mailer'), [1, 0], 'a memoized getter of an object that is not process-wide');
  });
});
