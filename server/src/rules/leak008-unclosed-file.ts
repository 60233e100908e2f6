// LEAK008 unclosed-file: files (and archives, temporary files) opened inside a function and never
// closed, closed only when nothing raises, or used once in a chain (`open(p).read()`).

import { replaceRange } from '../fixes/edits';
import { ensureMemberImport } from '../fixes/imports';
import type { FixPolicy } from '../fixes/resource-fixes';
import { unreadPipesFix } from '../fixes/unread-pipes';
import { type Creation, type Leak, type ResourceKind, releasedOnEveryPath } from '../model/lifecycle';
import { callLabel, checkResources, type Factory, type ResourceRuleSpec } from '../model/resource-check';
import type { SemanticModel } from '../model/semantic';
import { mayCallAny } from '../model/text-calls';
import { keywordArgument, positionalArguments, useOf } from '../model/usage';
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext, Severity, TextEdit } from '../types';

/** Archive and compression wrappers: they own a file only when they open it from a path. */
const WRAPPING_FACTORIES = new Set([
  'gzip.open',
  'gzip.GzipFile',
  'bz2.open',
  'bz2.BZ2File',
  'lzma.open',
  'lzma.LZMAFile',
  'tarfile.open',
  'tarfile.TarFile',
  'tarfile.TarFile.open',
  'tarfile.TarFile.taropen',
  'zipfile.ZipFile',
  'zipfile.PyZipFile',
  'wave.open',
]);

const FILE_FACTORIES = new Set([
  'builtins.open',
  'io.open',
  'io.open_code',
  'io.FileIO',
  'codecs.open',
  'tokenize.open',
  ...WRAPPING_FACTORIES,
  'tempfile.TemporaryFile',
  'tempfile.NamedTemporaryFile',
  'tempfile.SpooledTemporaryFile',
  'os.fdopen',
]);

/** Key-value files: `dbm` databases and `shelve` shelves. */
const MAPPING_FACTORIES = new Set([
  'dbm.open',
  'dbm.gnu.open',
  'dbm.ndbm.open',
  'dbm.dumb.open',
  'dbm.sqlite3.open',
  'shelve.open',
  'shelve.DbfilenameShelf',
]);

/** `fileinput` reads a list of files one after the other, closing each when it reaches its end. */
const FILEINPUT_FACTORIES = new Set(['fileinput.input', 'fileinput.FileInput']);

const ZIP_CLASSES = new Set(['zipfile.ZipFile', 'zipfile.PyZipFile']);

const PIPE = 'subprocess.PIPE';

const PATH_CLASSES = new Set(['pathlib.Path', 'pathlib.PosixPath', 'pathlib.WindowsPath']);
/** Path methods that return another Path. */
const PATH_METHODS = new Set([
  'joinpath',
  'with_name',
  'with_suffix',
  'with_stem',
  'resolve',
  'absolute',
  'expanduser',
]);

/** Methods whose result keeps no reference to the file. */
const DATA_METHODS = new Set([
  'read',
  'read1',
  'readline',
  'readlines',
  'readinto',
  'write',
  'writelines',
  'seek',
  'tell',
  'flush',
  'fileno',
  'truncate',
  'isatty',
  'readable',
  'writable',
  'seekable',
  'peek',
  'namelist',
  'infolist',
  'getinfo',
  'getnames',
  'getmembers',
  'getmember',
  'extractall',
  'extract',
  'writestr',
  'write_bytes',
  'add',
  'addfile',
  'testzip',
  // wave readers and writers
  'getnchannels',
  'getsampwidth',
  'getframerate',
  'getnframes',
  'getparams',
  'getcomptype',
  'getcompname',
  'readframes',
  'writeframes',
  'writeframesraw',
  'setnchannels',
  'setsampwidth',
  'setframerate',
  'setnframes',
  'setparams',
  'setpos',
  'rewind',
]);

/** `subprocess.run(..., stdout=open(log, "w"))`: the child gets its own copy; ours stays open. */
const SUBPROCESS_CALLS = new Set([
  'subprocess.run',
  'subprocess.call',
  'subprocess.check_call',
  'subprocess.check_output',
  'subprocess.Popen',
]);

const FILE_KIND: ResourceKind = {
  noun: 'file',
  release: 'close',
  releaseIt: 'close it',
  released: 'closed',
  releaseMethods: new Set(['close']),
  withReleases: true,
  dataMethods: DATA_METHODS,
  isInlineConsumer(model, call, keyword) {
    return (
      !!keyword &&
      ['stdin', 'stdout', 'stderr'].includes(keyword) &&
      SUBPROCESS_CALLS.has(model.calleeName(call) ?? '')
    );
  },
};

const FILE_POLICY: FixPolicy = {
  manage: 'with',
  isAsync: false,
  redundant: new Set(['close']),
  suggestedName: 'f',
};

/**
 * A temporary file deleted when it is closed (`NamedTemporaryFile()`, `delete` not false) whose
 * `.name` is read: the path is what the code hands on (a certificate path, a config file for a
 * client), and it stays valid only while the file is open. A `with` ending after the file's own
 * last use would delete it while the path may still be in use, so no `with` is offered.
 */
const DELETE_ON_CLOSE_POLICY: FixPolicy = {
  ...FILE_POLICY,
  vetoNamed: (_model, named) =>
    named.refs.some((r) => {
      const use = useOf(r.node);
      return use.kind === 'attribute' && use.attribute === 'name';
    }),
};

/** `NamedTemporaryFile(...)` that deletes its file on close (`delete=False` not given). */
function deletesOnClose(model: SemanticModel, call: Node): boolean {
  if (model.calleeName(call) !== 'tempfile.NamedTemporaryFile') return false;
  return keywordArgument(call, 'delete')?.text !== 'False';
}

const MAPPING_KIND: ResourceKind = {
  ...FILE_KIND,
  dataMethods: new Set([
    ...DATA_METHODS,
    'get',
    'keys',
    'values',
    'items',
    'setdefault',
    'pop',
    'sync',
    'firstkey',
    'nextkey',
    'reorganize',
    'update',
  ]),
};

const MAPPING_POLICY: FixPolicy = { ...FILE_POLICY, suggestedName: 'db' };

/** A `FileInput` closes its last file when it is read to the end. */
const FILEINPUT_KIND: ResourceKind = { ...FILE_KIND, readToEndReleases: true };

/**
 * `subprocess.Popen(..., stdout=PIPE)`: waiting for it (`wait()`, `communicate()`, `with`) reaps
 * the child; until then its pipes stay open and, once it exits, it is a zombie.
 */
const PROCESS_KIND: ResourceKind = {
  noun: 'process',
  release: 'wait for',
  releaseIt: 'wait for it',
  released: 'waited for',
  releaseMethods: new Set(['wait', 'communicate']),
  loopReleaseMethods: new Set(['poll']),
  withReleases: true,
  dataMethods: new Set([
    'poll',
    'send_signal',
    'terminate',
    'kill',
    'read',
    'readline',
    'readlines',
    'write',
    'flush',
    'close',
  ]),
  keepAliveAttributes: new Set(['stdin', 'stdout', 'stderr']),
};

/**
 * `with Popen(...)` waits for the process at the end of the block: only a fix where the code
 * already waits for it on every path (a process not waited for may be meant to outlive the function).
 */
const PROCESS_POLICY: FixPolicy = {
  manage: 'with',
  isAsync: false,
  redundant: new Set(),
  suggestedName: 'proc',
  // Waited for only on some paths (`if check and proc.wait():`): the block would wait on the others too.
  vetoNamed: (model, named) => !releasedOnEveryPath(model, named),
  vetoInline: () => true,
};

/** An expression that evaluates to a `pathlib.Path` (`Path(p)`, `Path(p) / "x"`, a name bound to one). */
function isPathExpression(model: SemanticModel, node: Node | null, depth = 0): boolean {
  if (!node || depth > 6) return false;
  switch (node.type) {
    case 'parenthesized_expression':
      return isPathExpression(model, node.namedChildren[0], depth + 1);
    case 'call': {
      if (PATH_CLASSES.has(model.calleeName(node) ?? '')) return true;
      const fn = node.childForFieldName('function');
      return (
        fn?.type === 'attribute' &&
        PATH_METHODS.has(fn.childForFieldName('attribute')?.text ?? '') &&
        isPathExpression(model, fn.childForFieldName('object'), depth + 1)
      );
    }
    case 'binary_operator':
      return (
        node.childForFieldName('operator')?.text === '/' &&
        isPathExpression(model, node.childForFieldName('left'), depth + 1)
      );
    case 'attribute':
      return (
        node.childForFieldName('attribute')?.text === 'parent' &&
        isPathExpression(model, node.childForFieldName('object'), depth + 1)
      );
    case 'identifier': {
      const binding = model.resolve(node);
      if (binding?.kind !== 'assignment') return false;
      return binding.sites.every((site) => {
        const value = model.assignedValue(site);
        return !!value && value.id !== node.id && isPathExpression(model, value, depth + 1);
      });
    }
    default:
      return false;
  }
}

/** `Path(p).open()`: a method call `.open()` on a Path. */
function isPathOpen(model: SemanticModel, call: Node): boolean {
  const fn = call.childForFieldName('function');
  return (
    fn?.type === 'attribute' &&
    fn.childForFieldName('attribute')?.text === 'open' &&
    isPathExpression(model, fn.childForFieldName('object'))
  );
}

/** `open(fd, closefd=False)` does not own the descriptor. */
function closefdFalse(call: Node): boolean {
  return keywordArgument(call, 'closefd')?.type === 'false';
}

/** Calls that make a file object (rather than a path). */
const FILE_OBJECT_MAKERS = new Set([...FILE_FACTORIES, 'io.BytesIO', 'io.StringIO']);

/**
 * `gzip.GzipFile(fileobj=buf)`, `zipfile.ZipFile(io.BytesIO(data))`, `ZipFile(f)` with `f = open(p)`:
 * a wrapper over a file object it does not own (its `close()` leaves that file open). Not
 * closing the wrapper holds no descriptor; the file object has its own lifecycle.
 */
function wrapsFileObject(model: SemanticModel, call: Node): boolean {
  if (keywordArgument(call, 'fileobj')) return true;
  const first = positionalArguments(call)[0];
  if (!first) return false;
  const makesFileObject = (value: Node | undefined): boolean =>
    value?.type === 'call' && FILE_OBJECT_MAKERS.has(model.calleeName(value) ?? '');
  if (makesFileObject(first)) return true;
  if (first.type !== 'identifier') return false;
  const binding = model.resolve(first);
  if (!binding || (binding.kind !== 'assignment' && binding.kind !== 'with')) return false;
  return binding.sites.every((site) => makesFileObject(model.assignedValue(site) ?? withValue(site)));
}

/** For `with open(p) as fp:`, the `open(p)` bound to `fp`. */
function withValue(site: Node): Node | undefined {
  const target = site.parent;
  const pattern = target?.type === 'as_pattern_target' ? target.parent : undefined;
  if (pattern?.type !== 'as_pattern' || pattern.parent?.type !== 'with_item') return undefined;
  return pattern.namedChildren[0] ?? undefined;
}

/** `zf.open(name)` on a `zipfile.ZipFile` bound to `zf` (assigned, or `with ZipFile(p) as zf:`). */
function isZipMemberOpen(model: SemanticModel, call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'open') return false;
  const receiver = fn.childForFieldName('object');
  if (receiver?.type !== 'identifier') return false;
  const binding = model.resolve(receiver);
  if (!binding || (binding.kind !== 'assignment' && binding.kind !== 'with')) return false;
  return binding.sites.every((site) => {
    const value = model.assignedValue(site) ?? withValue(site);
    return value?.type === 'call' && ZIP_CLASSES.has(model.calleeName(value) ?? '');
  });
}

/** `Popen(..., stdout=PIPE)` (or `stdin=`/`stderr=`): the parent holds pipe ends. */
function pipesToChild(model: SemanticModel, call: Node): boolean {
  return ['stdin', 'stdout', 'stderr'].some((k) => {
    const value = keywordArgument(call, k);
    return !!value && model.qualifiedName(value) === PIPE;
  });
}

/** Whether the function around `call` calls `fileinput.close()`. */
function closesFileinput(model: SemanticModel, call: Node): boolean {
  const fn = model.scopeOf(call).enclosingFunction?.node;
  if (!fn?.text.includes('close')) return false;
  return fn.descendantsOfType('call').some((c) => !!c && model.calleeName(c) === 'fileinput.close');
}

function classify(ctx: RuleContext, call: Node): Factory | undefined {
  const { model } = ctx;
  const qualified = model.calleeName(call);
  const label = callLabel(call);
  if (qualified ? FILE_FACTORIES.has(qualified) : isPathOpen(model, call)) {
    if (closefdFalse(call)) return undefined;
    if (qualified && WRAPPING_FACTORIES.has(qualified) && wrapsFileObject(model, call)) return undefined;
    return {
      label,
      kind: FILE_KIND,
      fix: deletesOnClose(model, call) ? DELETE_ON_CLOSE_POLICY : FILE_POLICY,
    };
  }
  if (!qualified && isZipMemberOpen(model, call)) return { label, kind: FILE_KIND, fix: FILE_POLICY };
  if (!qualified) return undefined;
  if (MAPPING_FACTORIES.has(qualified)) return { label, kind: MAPPING_KIND, fix: MAPPING_POLICY };
  if (FILEINPUT_FACTORIES.has(qualified)) {
    if (qualified === 'fileinput.input' && closesFileinput(model, call)) return undefined;
    return { label, kind: FILEINPUT_KIND, fix: FILE_POLICY };
  }
  if (qualified === 'subprocess.Popen' && pipesToChild(model, call))
    return { label, kind: PROCESS_KIND, fix: PROCESS_POLICY };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// `open(p).read()` → `Path(p).read_text()`

const READ_MODES: Record<string, 'text' | 'bytes'> = {
  r: 'text',
  rt: 'text',
  tr: 'text',
  rb: 'bytes',
  br: 'bytes',
};
const WRITE_MODES: Record<string, 'text' | 'bytes'> = {
  w: 'text',
  wt: 'text',
  tw: 'text',
  wb: 'bytes',
  bw: 'bytes',
};
const STR_PATH_FUNCTIONS = new Set([
  'os.path.join',
  'os.path.abspath',
  'os.path.expanduser',
  'os.path.expandvars',
  'os.path.normpath',
  'os.path.realpath',
  'os.path.dirname',
  'os.fspath',
  'builtins.str',
]);

/** A plain (non-bytes) string literal, f-string included, possibly implicitly concatenated. */
function isStrLiteral(node: Node): boolean {
  if (node.type === 'concatenated_string') return node.namedChildren.every((c) => !!c && isStrLiteral(c));
  if (node.type !== 'string') return false;
  const prefix = /^[A-Za-z]*/.exec(node.text)?.[0].toLowerCase() ?? '';
  return !prefix.includes('b');
}

function stringValue(node: Node | undefined): string | undefined {
  if (node?.type !== 'string' || node.descendantsOfType('interpolation').length > 0) return undefined;
  const m = /^[rRuU]?(['"])(.*)\1$/s.exec(node.text);
  return m && !m[2].includes('\\') ? m[2] : undefined;
}

/**
 * `open(p).read()`, `open(p, "rb").read()`, `open(p, "w").write(s)`, `Path(p).open().read()` → the
 * `pathlib` one-liner, when the arguments say exactly the same: a path that is certainly a path
 * (not a file descriptor), a literal mode, and only `encoding=`/`errors=` besides.
 */
function pathFix(ctx: RuleContext, creation: Creation, leak: Leak): Fix | undefined {
  if (leak.kind !== 'chained' || (leak.method !== 'read' && leak.method !== 'write')) return undefined;
  const { model, file } = ctx;
  const call = creation.call;
  if (creation.value.id !== call.id) return undefined;
  const qualified = model.calleeName(call);
  const positional = positionalArguments(call);
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  const keywords = args.namedChildren.filter((a): a is Node => a?.type === 'keyword_argument');
  if (args.namedChildren.some((a) => a?.type === 'list_splat' || a?.type === 'dictionary_splat'))
    return undefined;
  let pathText: string;
  const edits: TextEdit[] = [];
  let modeNode: Node | undefined;
  // A name whose value is not known to be a path (it could be a file descriptor): unsafe.
  let assumedPath: string | undefined;
  if (qualified === 'builtins.open' || qualified === 'io.open') {
    const target = positional[0];
    if (!target || positional.length > 2) return undefined;
    modeNode = positional[1];
    if (isPathExpression(model, target)) {
      pathText = target.type === 'binary_operator' ? `(${target.text})` : target.text;
    } else if (
      isStrLiteral(target) ||
      (target.type === 'call' && STR_PATH_FUNCTIONS.has(model.calleeName(target) ?? ''))
    ) {
      const imported = ensureMemberImport(file, model, 'pathlib', 'Path', topLevelStart(call));
      if (shadowed(model, call, imported.name.split('.')[0])) return undefined;
      edits.push(...imported.edits);
      pathText = `${imported.name}(${target.text})`;
    } else if (target.type === 'identifier' || target.type === 'attribute') {
      const imported = ensureMemberImport(file, model, 'pathlib', 'Path', topLevelStart(call));
      if (shadowed(model, call, imported.name.split('.')[0])) return undefined;
      edits.push(...imported.edits);
      pathText = `${imported.name}(${target.text})`;
      assumedPath = target.text;
    } else {
      return undefined;
    }
  } else if (!qualified) {
    const fn = call.childForFieldName('function');
    const receiver = fn?.childForFieldName('object');
    if (!receiver || positional.length > 1) return undefined;
    modeNode = positional[0];
    pathText = receiver.type === 'binary_operator' ? `(${receiver.text})` : receiver.text;
  } else {
    return undefined;
  }
  const modeKeyword = keywords.find((k) => k.childForFieldName('name')?.text === 'mode');
  if (modeKeyword) {
    if (modeNode) return undefined;
    modeNode = modeKeyword.childForFieldName('value') ?? undefined;
  }
  const mode = modeNode ? stringValue(modeNode) : 'r';
  if (mode === undefined) return undefined;
  const passed = keywords.filter((k) => k !== modeKeyword);
  if (passed.some((k) => !['encoding', 'errors'].includes(k.childForFieldName('name')?.text ?? '')))
    return undefined;
  const chain = leak.chainCall;
  const chainArgs = positionalArguments(chain);
  const chainArgList = chain.childForFieldName('arguments');
  const chainKeywords =
    chainArgList?.namedChildren.filter(
      (a) => a?.type === 'keyword_argument' || a?.type === 'list_splat' || a?.type === 'dictionary_splat',
    ) ?? [];
  if (chainKeywords.length > 0) return undefined;
  const kwText = passed.map((k) => k.text);
  const kind = leak.method === 'read' ? READ_MODES[mode] : WRITE_MODES[mode];
  if (!kind || (kind === 'bytes' && kwText.length > 0)) return undefined;
  if (chainArgs.length !== (leak.method === 'read' ? 0 : 1)) return undefined;
  const method = `${leak.method}_${kind}`;
  const callArgs = leak.method === 'read' ? kwText : [chainArgs[0].text, ...kwText];
  edits.push(
    replaceRange(file, chain.startIndex, chain.endIndex, `${pathText}.${method}(${callArgs.join(', ')})`),
  );
  return {
    title: assumedPath
      ? `Use \`Path.${method}()\`, taking \`${assumedPath}\` to be a path (not a file descriptor)`
      : `Use \`Path.${method}()\``,
    edits,
    applicability: assumedPath ? 'unsafe' : 'safe',
    // An assumption is not preferred over the `with` rewrite where there is one.
    isPreferred: !assumedPath,
  };
}

function topLevelStart(node: Node): number {
  let current = node;
  while (current.parent && current.parent.type !== 'module') current = current.parent;
  return current.startIndex;
}

/** Whether `name` is bound in a function or class scope around `node` (it would hide the import). */
function shadowed(model: SemanticModel, node: Node, name: string): boolean {
  for (
    let s: ReturnType<SemanticModel['scopeOf']> | undefined = model.scopeOf(node);
    s && s.kind !== 'module';
    s = s.parent
  ) {
    if (s.lookupLocal(name)) return true;
  }
  return false;
}

const FACTORY_LAST_NAMES = [
  ...new Set(
    [...FILE_FACTORIES, ...MAPPING_FACTORIES, ...FILEINPUT_FACTORIES, 'subprocess.Popen'].map((n) =>
      n.slice(n.lastIndexOf('.') + 1),
    ),
  ),
];

/**
 * How sure a leak is: CPython closes a file nobody references at once, so a one-shot chain
 * (`open(p).read()`) is harmless in practice; a named file stays open until it is collected.
 */
function judge(leak: Leak, factory: Factory): { severity: Severity; why?: string } | undefined {
  if (factory.kind === PROCESS_KIND)
    return {
      severity: 'information',
      why: 'its pipes stay open, and once it exits it stays a zombie, until the `Popen` object is garbage-collected',
    };
  switch (leak.kind) {
    case 'chained':
    case 'consumed':
    case 'iterated':
    case 'discarded':
      return {
        severity: 'hint',
        why: 'CPython closes it as soon as nothing refers to it, other interpreters later',
      };
    case 'never-released':
    case 'yielded-never-released':
      return { severity: 'information', why: 'it stays open until it is garbage-collected' };
    default:
      return undefined;
  }
}

const spec: ResourceRuleSpec = {
  // `open` also covers `Path(p).open()` and `p.open()`.
  calleeNames: () => FACTORY_LAST_NAMES,
  classify,
  defaultSeverity: 'information',
  milderSeverity: 'hint',
  judge,
  extraFixes(ctx, creation, leak, factory) {
    const fix =
      factory.kind === PROCESS_KIND
        ? unreadPipesFix(ctx.file, ctx.model, creation, leak)
        : pathFix(ctx, creation, leak);
    return fix ? [fix] : [];
  },
};

export const rule: Rule = {
  code: 'LEAK008',
  name: 'unclosed-file',
  defaultSeverity: 'information',
  summary: 'A file opened inside a function is never closed (or only when nothing raises).',
  fixable: true,
  docs: {
    whatItDoes: `
      Finds files opened inside a function — \`open\`, \`io.open\`, \`io.open_code\`, \`codecs.open\`,
      \`tokenize.open\`, \`gzip\`/\`bz2\`/\`lzma.open\`, \`tarfile.open\`, \`TarFile.taropen\`,
      \`zipfile.ZipFile\`/\`PyZipFile\` and the members they open (\`zf.open(name)\`), \`wave.open\`,
      \`dbm.open\` (and \`dbm.gnu\`/\`ndbm\`/\`dumb\`/\`sqlite3\`), \`shelve.open\`,
      \`fileinput.input\`/\`FileInput\`, \`tempfile.TemporaryFile\`/\`NamedTemporaryFile\`/
      \`SpooledTemporaryFile\`, \`os.fdopen\`, \`Path.open()\`, and functions of the same module that
      return a fresh one (\`def _open_log(n): return open(n, "a")\`) — that are not used with \`with\`
      (or an \`ExitStack\`), not closed in a \`finally\`, and not handed on (returned, yielded, stored
      on \`self\` or a global, passed to another call). One-shot chains such as \`open(p).read()\` and
      files passed inline to a call that does not close them (\`json.load(open(p))\`) are flagged
      too. So is \`subprocess.Popen(..., stdout=PIPE)\` (or \`stdin\`/\`stderr\`) never waited for
      (\`wait()\`, \`communicate()\`, \`with\`, or \`poll()\` in a loop, which reaps the child once it
      has exited): it holds two pipe ends, and the finished child stays a zombie. Giving its
      \`stdout\` to the next stage of a pipeline (\`Popen(..., stdin=first.stdout)\`) hands on the
      pipe end, not the process: the first stage still has to be waited for.

      A close that only runs when there is nothing to close (\`if f is None: f.close()\`,
      \`if f.closed: f.close()\`) does not count, and one in a handler for some exceptions only
      (\`except ValueError:\`) does not cover the others; a \`try\` whose bare \`except:\` swallows
      everything does not skip the close that follows it. A file closed on the normal path but not
      in \`finally\` is reported at a lower severity, unless the close is the next statement that runs
      (the first statement of the \`try\` that follows the creation, or the statement right after a
      loop whose \`try\` creates it and \`break\`s). A pytest fixture (\`@pytest.fixture\`) that
      releases after its \`yield\` is not reported: pytest resumes it for teardown whatever the test
      did. A file stored on \`self\` is reported when the
      class has a teardown method (\`close\`, \`__exit__\`…) that never closes it, or when the class
      has no such method at all and this module makes its objects again and again (a route handler
      makes one per request): then nothing could ever close it. Files opened at
      module level (import-time scripts and singletons) are not reported; archive readers over a
      file object they do not own (\`ZipFile(io.BytesIO(data))\`) are not either.

      Severity says how sure the finding is: \`information\` for a file bound to a name and never
      closed (it stays open until it is garbage-collected, and when that happens is not known
      here) and for a \`Popen\` never waited for; \`hint\` for one-shot uses (\`open(p).read()\`,
      \`json.load(open(p))\`, \`for line in open(p):\`), which CPython closes as soon as nothing refers
      to them, for files closed only when no exception occurs first, and in code that runs once
      (\`main()\`, \`if __name__ == "__main__":\`, command-line entry points, \`setup.py\`,
      \`noxfile.py\`, \`conf.py\`).
    `,
    whyIsThisBad: `
      An open file holds a file descriptor and its buffers until it is closed. CPython closes it
      when the last reference disappears, but an exception traceback, a reference cycle or another
      interpreter (PyPy) can keep it open indefinitely; buffered writes may not reach the disk.
      A long-running service that leaks a descriptor per request eventually fails with
      "Too many open files".

      **Fixes and their safety.** **Safe**: \`with\` around the uses (an inline file: the
      statement moves into the block, also from a generator expression's first iterable when it is
      read to the end there); \`Path(p).read_text()\` and friends when \`p\` is certainly a path;
      \`(open(p) if c else nullcontext(sys.stdin))\` for a file or stdin; for a file opened in a
      \`try\` whose handlers return or raise, \`try\`/\`finally\` after it; a close at the end of a
      \`finally\` that already uses the file; a writer rotated in a loop (set to \`None\` first),
      \`try\`/\`finally: if w is not None: w.close()\` around the loop and its last use; a name
      rebound to a second file, the first closed just before and the one held in \`finally\`; a file
      (or process) bound in several branches, or in one branch with \`sys.stdout\` or \`None\` in the
      other, entered in a \`with ExitStack() as stack:\` from the first binding to the last use
      (\`stack.enter_context(open(p))\`: only what was opened is closed); a \`Popen\` made in a
      \`try\` whose handlers leave and waited for after it, \`with proc:\` around its uses (it waits, as
      the code does). **Unsafe**: \`with\` around the uses of a \`Popen\` whose output is read here but
      that is never waited for (polled, killed): the block waits for it to exit; \`with\` when an argument computed by a
      call comes before the file (the file is now opened first); \`Path(name)\` for a name that
      might be a file descriptor; \`if f is None: f.close()\` turned into \`is not None\`; the close
      added to a forgetful teardown, or a \`close()\` with \`__enter__\`/\`__exit__\` added to a class
      that has none; a \`Popen\` dropped at once waited for with \`.communicate()\`. A \`Popen\` whose pipes
      nothing reads and that is never waited for (only its pid kept, polled or signalled: it may be
      meant to outlive the call) gets \`subprocess.DEVNULL\` for those streams, **unsafe** (the output
      is discarded instead of filling a pipe nobody reads). No \`with\` is offered for a
      \`NamedTemporaryFile\` that deletes its file on close and whose \`.name\` the code reads: the
      path it hands on stays valid only while the file is open.
    `,
    example: `
      import json

      def load_config(path):
          f = open(path)
          config = json.load(f)
          return config
    `,
    useInstead: `
      import json

      def load_config(path):
          with open(path) as f:
              config = json.load(f)
          return config
    `,
    references: ['https://docs.python.org/3/tutorial/inputoutput.html#reading-and-writing-files'],
  },
  // The rule follows the calls `callsNamed` finds (and the helpers returning what they create).
  mayFire: (text) => mayCallAny(text, FACTORY_LAST_NAMES),
  check(ctx) {
    checkResources(ctx, spec);
  },
};
