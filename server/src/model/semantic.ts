// The semantic model every rule asks: scopes, bindings, references and qualified names over the
// tree-sitter tree. It is built lazily: a scope's bindings are collected the first time a rule
// asks about that scope, and references are found by searching the scope's text for the name
// and confirming each hit in the tree. A file where no rule has a candidate costs almost nothing.
import type { Node } from '../parser';
import { parentOf } from './parents';
import type { SourceFile } from './source';

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda' | 'comprehension';

export type BindingKind =
  | 'assignment' // x = …, x: T = …, x += …, (x := …)
  | 'parameter'
  | 'import'
  | 'function'
  | 'class'
  | 'loop' // for x in …
  | 'with' // with … as x
  | 'except' // except E as x
  | 'deletion';

export interface Binding {
  name: string;
  kind: BindingKind;
  scope: Scope;
  /** The identifier nodes where the name is bound, in source order. */
  sites: Node[];
  /** For imports: the qualified name bound (`import asyncio as aio` → `asyncio`). */
  qualifiedName?: string;
}

export type ReferenceContext = 'load' | 'store' | 'augmented' | 'del';

export interface Reference {
  node: Node;
  binding: Binding;
  context: ReferenceContext;
  /** The scope the reference occurs in (may be nested inside the binding's scope). */
  scope: Scope;
}

const SCOPE_TYPES: Record<string, ScopeKind> = {
  module: 'module',
  class_definition: 'class',
  function_definition: 'function',
  lambda: 'lambda',
  list_comprehension: 'comprehension',
  set_comprehension: 'comprehension',
  dictionary_comprehension: 'comprehension',
  generator_expression: 'comprehension',
};

export function isScopeNode(node: Node): boolean {
  return node.type in SCOPE_TYPES;
}

const BUILTINS = new Set(
  (
    'open print len dict list set tuple frozenset object type super property staticmethod classmethod ' +
    'isinstance issubclass getattr setattr hasattr delattr iter next range enumerate zip map filter ' +
    'sorted reversed min max sum any all abs id hash repr str bytes bytearray int float bool complex ' +
    'memoryview vars globals locals callable format input exec eval compile __import__'
  ).split(' '),
);

export class Scope {
  private collected = false;
  readonly bindings = new Map<string, Binding>();
  readonly globals = new Set<string>();
  readonly nonlocals = new Set<string>();

  constructor(
    readonly kind: ScopeKind,
    readonly node: Node,
    readonly parent: Scope | undefined,
    private readonly model: SemanticModel,
  ) {}

  /** The function or class name, if any (asked of the tree once: every rule asks it again and again). */
  get name(): string | undefined {
    if (this.knownName === undefined) this.knownName = { name: this.node.childForFieldName('name')?.text };
    return this.knownName.name;
  }
  private knownName: { name: string | undefined } | undefined;

  get isAsync(): boolean {
    return this.kind === 'function' && this.node.children[0]?.type === 'async';
  }

  /** The nearest enclosing function scope (itself included), if any. */
  get enclosingFunction(): Scope | undefined {
    let s: Scope | undefined = this;
    while (s && s.kind !== 'function') s = s.parent;
    return s;
  }

  /** For a method: the class scope it is defined in. */
  get enclosingClass(): Scope | undefined {
    return this.kind === 'function' && this.parent?.kind === 'class' ? this.parent : undefined;
  }

  /** Run time code: anything inside a function or lambda (as opposed to import-time code). */
  get isRuntime(): boolean {
    let s: Scope | undefined = this;
    while (s) {
      if (s.kind === 'function' || s.kind === 'lambda') return true;
      s = s.parent;
    }
    return false;
  }

  lookupLocal(name: string): Binding | undefined {
    this.ensureCollected();
    return this.bindings.get(name);
  }

  /** Whether the bindings have been collected (then asking about a name costs nothing). */
  get isCollected(): boolean {
    return this.collected;
  }

  declaresGlobal(name: string): boolean {
    this.ensureCollected();
    return this.globals.has(name);
  }

  declaresNonlocal(name: string): boolean {
    this.ensureCollected();
    return this.nonlocals.has(name);
  }

  ensureCollected(): void {
    if (this.collected) return;
    this.collected = true;
    new BindingCollector(this, this.model).collect();
  }

  bind(name: string, kind: BindingKind, site: Node, qualifiedName?: string): void {
    const existing = this.bindings.get(name);
    if (existing) {
      existing.sites.push(site);
      // An import later rebound by assignment is no longer (only) that module.
      if (existing.kind !== kind) existing.kind = kind === 'deletion' ? existing.kind : kind;
      if (qualifiedName === undefined) existing.qualifiedName = undefined;
      return;
    }
    this.bindings.set(name, { name, kind, scope: this, sites: [site], qualifiedName });
  }
}

/** Walks one scope's own statements (not nested scopes' bodies) and records what it binds. */
class BindingCollector {
  constructor(
    private readonly scope: Scope,
    private readonly model: SemanticModel,
  ) {}

  collect(): void {
    const node = this.scope.node;
    switch (this.scope.kind) {
      case 'module':
        this.walkChildren(node);
        break;
      case 'class':
      case 'function': {
        if (this.scope.kind === 'function') this.parameters(node.childForFieldName('parameters'));
        const body = node.childForFieldName('body');
        if (body) this.walk(body);
        break;
      }
      case 'lambda':
        this.parameters(node.childForFieldName('parameters'));
        this.walkSkippingScopes(node.childForFieldName('body'));
        break;
      case 'comprehension':
        for (const child of node.namedChildren) {
          if (child?.type === 'for_in_clause') {
            this.target(child.childForFieldName('left'), 'loop');
            // The first iterable is evaluated in the enclosing scope; later clauses here.
          }
        }
        for (const child of node.namedChildren) if (child) this.walkSkippingScopes(child);
        break;
    }
  }

  private parameters(params: Node | null): void {
    if (!params) return;
    for (const p of params.namedChildren) {
      if (!p) continue;
      let id: Node | null = null;
      if (p.type === 'identifier') id = p;
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter')
        id = p.childForFieldName('name');
      else if (
        p.type === 'typed_parameter' ||
        p.type === 'list_splat_pattern' ||
        p.type === 'dictionary_splat_pattern'
      ) {
        id = p.namedChildren.find((c) => c?.type === 'identifier') ?? null;
        if (!id) {
          const inner = p.namedChildren[0];
          if (inner && (inner.type === 'list_splat_pattern' || inner.type === 'dictionary_splat_pattern'))
            id = inner.namedChildren.find((c) => c?.type === 'identifier') ?? null;
        }
      }
      if (id) this.scope.bind(id.text, 'parameter', id);
    }
  }

  // The walks below use an explicit stack, not recursion: generated or hostile code nests
  // thousands of levels deep, and a stack overflow here would leave the scope half-collected.

  private walkSkippingScopes(start: Node | null): void {
    if (!start) return;
    const stack: Node[] = [start];
    while (stack.length > 0) {
      const node = stack.pop() as Node;
      if (node.type === 'named_expression') {
        // Walrus targets bind in the nearest non-comprehension scope.
        const name = node.childForFieldName('name');
        let target: Scope = this.scope;
        while (target.kind === 'comprehension' && target.parent) target = target.parent;
        if (name && target === this.scope) this.scope.bind(name.text, 'assignment', name);
      }
      if (isScopeNode(node)) continue;
      const type = node.type;
      if (EXPRESSION_TYPES.has(type) && !this.model.mayBindWithin(node, type)) continue;
      pushChildren(node, stack);
    }
  }

  private walkChildren(node: Node): void {
    const stack: Node[] = [];
    pushChildren(node, stack);
    this.drain(stack);
  }

  private walk(node: Node): void {
    this.drain([node]);
  }

  /** Visit nodes in source order (pre-order: children are pushed in reverse). */
  private drain(stack: Node[]): void {
    while (stack.length > 0) this.visit(stack.pop() as Node, stack);
  }

  private visit(node: Node, stack: Node[]): void {
    const type = node.type;
    // Most of a scope's nodes are expressions (calls, literal tables…), which can bind a name only
    // through `:=` or an `as` pattern. Skipping those whose text holds neither avoids marshalling
    // every node of the scope out of wasm.
    if (type === 'comment') return;
    // A statement that is a plain expression (a call, a docstring) binds nothing either; one that
    // assigns has an `=` (or a `:` for an annotation) in its text.
    if (
      (EXPRESSION_TYPES.has(type) || type === 'expression_statement') &&
      !this.model.mayBindWithin(node, type)
    )
      return;
    switch (type) {
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) this.scope.bind(name.text, node.type === 'class_definition' ? 'class' : 'function', name);
        // Parameter defaults, annotations and superclasses are evaluated here, but bind nothing
        // except walrus targets, which we ignore there.
        return;
      }
      case 'lambda':
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        return;
      case 'assignment':
      case 'augmented_assignment': {
        this.target(node.childForFieldName('left'), 'assignment');
        const right = node.childForFieldName('right');
        if (right) stack.push(right);
        return;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        if (name) this.scope.bind(name.text, 'assignment', name);
        const value = node.childForFieldName('value');
        if (value) stack.push(value);
        return;
      }
      case 'for_statement':
        this.target(node.childForFieldName('left'), 'loop');
        break;
      case 'as_pattern': {
        const alias = node.childForFieldName('alias');
        const kind: BindingKind = parentOf(node)?.type === 'except_clause' ? 'except' : 'with';
        if (alias) this.target(alias, kind);
        break;
      }
      case 'import_statement':
        this.importStatement(node);
        return;
      case 'import_from_statement':
        this.importFrom(node);
        return;
      case 'global_statement':
        for (const id of node.namedChildren) if (id?.type === 'identifier') this.scope.globals.add(id.text);
        return;
      case 'nonlocal_statement':
        for (const id of node.namedChildren) if (id?.type === 'identifier') this.scope.nonlocals.add(id.text);
        return;
      case 'delete_statement':
        return;
    }
    pushChildren(node, stack);
  }

  private target(node: Node | null, kind: BindingKind): void {
    if (!node) return;
    switch (node.type) {
      case 'identifier':
        this.scope.bind(node.text, kind, node);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'expression_list':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression':
      case 'list_splat_pattern':
      case 'as_pattern_target':
      case 'list_splat':
        for (const c of node.namedChildren) this.target(c, kind);
        return;
      default:
        // attribute / subscript targets bind nothing; walk them for walrus and such
        this.walk(node);
    }
  }

  private importStatement(node: Node): void {
    for (const name of node.childrenForFieldName('name')) {
      if (!name) continue;
      if (name.type === 'aliased_import') {
        const dotted = name.childForFieldName('name');
        const alias = name.childForFieldName('alias');
        if (dotted && alias) this.scope.bind(alias.text, 'import', alias, dotted.text);
      } else if (name.type === 'dotted_name') {
        // `import os.path` binds `os` to the package `os`.
        const first = name.namedChildren[0];
        if (first) this.scope.bind(first.text, 'import', first, first.text);
      }
    }
  }

  private importFrom(node: Node): void {
    const moduleNode = node.childForFieldName('module_name');
    let module = moduleNode?.text ?? '';
    if (moduleNode?.type === 'relative_import') module = moduleNode.text; // keeps leading dots
    for (const name of node.childrenForFieldName('name')) {
      if (!name) continue;
      if (name.type === 'aliased_import') {
        const dotted = name.childForFieldName('name');
        const alias = name.childForFieldName('alias');
        if (dotted && alias) this.scope.bind(alias.text, 'import', alias, joinName(module, dotted.text));
      } else if (name.type === 'dotted_name') {
        const last = name.namedChildren[name.namedChildren.length - 1];
        if (last) this.scope.bind(last.text, 'import', last, joinName(module, name.text));
      }
    }
    void this.model;
  }
}

/**
 * Push `node`'s named children in reverse (so they pop in source order). `namedChildren` reads
 * them in one walk; `namedChild(i)` walks from the first child on every call, which made a wide
 * ERROR node (thousands of children) quadratic.
 */
function pushChildren(node: Node, stack: Node[]): void {
  const children = node.namedChildren;
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i];
    if (child) stack.push(child);
  }
}

/**
 * Expression nodes: in a tree without syntax errors they can hold a binding only as a walrus
 * (`:=`) or an `as` pattern (nested lambdas and comprehensions are scopes of their own).
 */
const EXPRESSION_TYPES = new Set([
  'call',
  'argument_list',
  'keyword_argument',
  'attribute',
  'subscript',
  'slice',
  'binary_operator',
  'unary_operator',
  'boolean_operator',
  'not_operator',
  'comparison_operator',
  'conditional_expression',
  'parenthesized_expression',
  'expression_list',
  'tuple',
  'list',
  'set',
  'dictionary',
  'pair',
  'list_splat',
  'dictionary_splat',
  'string',
  'concatenated_string',
  'identifier',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'ellipsis',
  'await',
  'yield',
  'type',
  'comment',
]);

/** Whether `word` occurs in `text` other than inside a longer ASCII name. */
function containsWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    if (!isAsciiNameChar(text.charCodeAt(i - 1)) && !isAsciiNameChar(text.charCodeAt(i + word.length)))
      return true;
  }
  return false;
}

/**
 * An ASCII letter, digit or `_` (NaN, outside the text, is not). Counting every other character
 * as a word boundary keeps the hints a superset of the real keywords.
 */
function isAsciiNameChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95
  );
}

const NON_ASCII_NAME_CHAR = /[\p{L}\p{N}]/u;

function joinName(module: string, name: string): string {
  if (!module) return name;
  return module.endsWith('.') ? module + name : `${module}.${name}`;
}

export class SemanticModel {
  private readonly scopes = new Map<number, Scope>();
  readonly moduleScope: Scope;

  constructor(readonly file: SourceFile) {
    this.moduleScope = new Scope('module', file.root, undefined, this);
    this.scopes.set(file.root.id, this.moduleScope);
  }

  private hasErrors: boolean | undefined;

  /** Whole-word offsets of `word` in the text (comments and strings too), in order; see WordIndex. */
  wordOffsets(word: string, start?: number, end?: number): number[] {
    return this.file.words.offsets(word, start, end);
  }

  /**
   * Whether the subtree of `node` (of type `type`) may bind a name: its text holds a `:=` or a
   * whole-word `as` (for an expression statement, also any `=` or `:`), or it holds a syntax
   * error (error recovery can put any statement anywhere). Only the text of the nodes asked about
   * is searched, and a skipped node's children are never asked about.
   */
  mayBindWithin(node: Node, type: string): boolean {
    this.hasErrors ??= this.file.root.hasError;
    if (this.hasErrors && node.hasError) return true;
    const span = this.file.text.slice(node.startIndex, node.endIndex);
    if (type === 'expression_statement')
      return span.includes('=') || span.includes(':') || containsWord(span, 'as');
    // A string holds expressions only in f-string `{…}` (the help texts of `pydoc_data` say `as`
    // thousands of times).
    if ((type === 'string' || type === 'concatenated_string') && !span.includes('{')) return false;
    return span.includes(':=') || containsWord(span, 'as');
  }

  /** The scope a scope-creating node opens. */
  scopeFor(scopeNode: Node): Scope {
    const cached = this.scopes.get(scopeNode.id);
    if (cached) return cached;
    const kind = SCOPE_TYPES[scopeNode.type];
    if (!kind) throw new Error(`not a scope node: ${scopeNode.type}`);
    const parent = this.scopeOf(scopeNode);
    const scope = new Scope(kind, scopeNode, parent, this);
    this.scopes.set(scopeNode.id, scope);
    return scope;
  }

  /**
   * The scope in which `node` is evaluated. A function's name, decorators, defaults and
   * annotations belong to the enclosing scope; its parameters and body to the function.
   */
  scopeOf(node: Node): Scope {
    return this.scopeMemo.get(node.id) ?? this.climbToScope(node, parentOf(node));
  }

  private climbToScope(node: Node, parent: Node | null): Scope {
    // Every rule asks this of many nodes, and each `parent` step is a walk down from the root
    // inside wasm: remember the answer for every node climbed through (a node not in a scope's
    // body has the same scope as its parent), so later climbs stop at the first known ancestor.
    const known = this.scopeMemo.get(node.id);
    if (known) return known;
    const climbed = [node.id];
    let result = this.moduleScope;
    let child = node;
    let current = parent;
    while (current) {
      const kind = SCOPE_TYPES[current.type];
      if (kind && this.isInsideScopeBody(current, child)) {
        result = this.scopeFor(current);
        break;
      }
      const ancestor = this.scopeMemo.get(current.id);
      if (ancestor) {
        result = ancestor;
        break;
      }
      climbed.push(current.id);
      child = current;
      current = parentOf(current);
    }
    for (const id of climbed) this.scopeMemo.set(id, result);
    return result;
  }
  private readonly scopeMemo = new Map<number, Scope>();

  private isInsideScopeBody(scopeNode: Node, child: Node): boolean {
    switch (scopeNode.type) {
      case 'function_definition': {
        const field = fieldOf(scopeNode, child);
        if (field === 'body') return true;
        if (field === 'parameters') {
          // A parameter's default value and annotation are evaluated outside.
          return false;
        }
        return false;
      }
      case 'class_definition':
        return fieldOf(scopeNode, child) === 'body';
      case 'lambda':
        return fieldOf(scopeNode, child) === 'body';
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        // (Strictly, the first for-clause's iterable is evaluated in the enclosing scope; the
        // model treats the whole comprehension as its own scope.)
        return true;
      default:
        return true;
    }
  }

  /** Resolve a name used at `node` (an identifier) following Python's LEGB rules. */
  resolve(node: Node, name = node.text): Binding | undefined {
    const start = this.scopeOfIdentifier(node);
    // The answer depends only on the scope the name is used in: look each name up once per scope.
    const cache = this.resolved.get(start);
    if (cache?.has(name)) return cache.get(name);
    const binding = this.resolveIn(start, name);
    if (cache) cache.set(name, binding);
    else this.resolved.set(start, new Map([[name, binding]]));
    return binding;
  }
  private readonly resolved = new Map<Scope, Map<string, Binding | undefined>>();

  private resolveIn(start: Scope, name: string): Binding | undefined {
    let scope: Scope | undefined = start;
    while (scope) {
      // Resolving `open` in `open(p)` (or `os` in `os.open(p)`) would collect every scope around
      // the call; a scope whose text uses the name only that way binds and declares nothing by
      // that name: skip it.
      if (scope !== this.moduleScope && !scope.isCollected && this.onlyUsedIn(scope.node, name)) {
        scope = scope.parent;
        continue;
      }
      if (scope.declaresGlobal(name)) return this.moduleScope.lookupLocal(name);
      if (scope.declaresNonlocal(name)) {
        scope = scope.parent;
        while (scope && scope.kind === 'class') scope = scope.parent;
        continue;
      }
      // Class bodies are visible only to code directly in the class body, not to methods.
      if (scope.kind !== 'class' || scope === start) {
        const b = scope.lookupLocal(name);
        if (b) return b;
      }
      scope = scope.parent;
    }
    return undefined;
  }

  /**
   * Whether every occurrence of `name` in the text of `scopeNode` (inside longer words and
   * comments too: a superset of its identifiers) stands right before `(` and not after `def` or
   * `class`, or right before `.` outside any import. The collector binds names that are
   * assigned, imported, looped over, declared, taken as parameters or defined — never the
   * function of a call or the object of an attribute (`import os.path` binds `os`, hence the
   * import exception). Files with syntax errors are not judged by their text.
   */
  private onlyUsedIn(scopeNode: Node, name: string): boolean {
    this.hasErrors ??= this.file.root.hasError;
    if (this.hasErrors) return false;
    // A class is asked about the same names from each of its methods: search its text once.
    let known = this.scopeTexts.get(scopeNode.id);
    if (!known) {
      const span = this.file.text.slice(scopeNode.startIndex, scopeNode.endIndex);
      known = { span, dotOk: !span.includes('import'), answers: new Map() };
      this.scopeTexts.set(scopeNode.id, known);
    }
    let answer = known.answers.get(name);
    if (answer === undefined) {
      answer = onlyCallsAndAttributes(known.span, name, known.dotOk);
      known.answers.set(name, answer);
    }
    return answer;
  }
  private readonly scopeTexts = new Map<
    number,
    { span: string; dotOk: boolean; answers: Map<string, boolean> }
  >();

  /** For an identifier that is a parameter name, the parameter lives in the function's scope. */
  private scopeOfIdentifier(node: Node): Scope {
    let scope = this.identifierScopes.get(node.id);
    if (!scope) {
      scope = this.computeScopeOfIdentifier(node);
      this.identifierScopes.set(node.id, scope);
    }
    return scope;
  }
  private readonly identifierScopes = new Map<number, Scope>();

  private computeScopeOfIdentifier(node: Node): Scope {
    const parent = parentOf(node);
    if (parent) {
      const type = parent.type; // (each read is a call into wasm)
      const isParamName =
        type === 'parameters' ||
        type === 'lambda_parameters' ||
        ((type === 'default_parameter' || type === 'typed_default_parameter') &&
          parent.childForFieldName('name')?.id === node.id) ||
        type === 'typed_parameter' ||
        type === 'list_splat_pattern' ||
        type === 'dictionary_splat_pattern';
      if (isParamName) {
        let p: Node | null = parent;
        while (p && p.type !== 'function_definition' && p.type !== 'lambda') p = parentOf(p);
        if (p) return this.scopeFor(p);
      }
    }
    return this.climbToScope(node, parent);
  }

  /**
   * The qualified name of an expression: `aio.create_task` with `import asyncio as aio` →
   * `asyncio.create_task`; `open` → `builtins.open`. Undefined when the root name is a local
   * variable, a parameter or otherwise unknown.
   */
  qualifiedName(node: Node | null): string | undefined {
    if (!node) return undefined;
    // Several rules classify the same calls: answer each node once.
    if (this.qualifiedNames.has(node.id)) return this.qualifiedNames.get(node.id);
    const qualified = this.computeQualifiedName(node);
    this.qualifiedNames.set(node.id, qualified);
    return qualified;
  }
  private readonly qualifiedNames = new Map<number, string | undefined>();

  private computeQualifiedName(node: Node): string | undefined {
    if (node.type === 'identifier') {
      const binding = this.resolve(node);
      if (!binding) return BUILTINS.has(node.text) ? `builtins.${node.text}` : undefined;
      if (binding.kind === 'import') return binding.qualifiedName;
      return undefined;
    }
    if (node.type === 'attribute') {
      const base = this.qualifiedName(node.childForFieldName('object'));
      const attr = node.childForFieldName('attribute');
      return base && attr ? `${base}.${attr.text}` : undefined;
    }
    if (node.type === 'parenthesized_expression' && node.namedChildCount === 1) {
      return this.qualifiedName(node.namedChildren[0]);
    }
    return undefined;
  }

  /** Qualified name of what a call calls (`call.function`). */
  calleeName(call: Node): string | undefined {
    return this.qualifiedName(call.childForFieldName('function'));
  }

  /** Does the file import `module` (or something from it) anywhere at module level? */
  importsModule(module: string): boolean {
    this.moduleScope.ensureCollected();
    for (const b of this.moduleScope.bindings.values()) {
      const q = b.qualifiedName;
      if (b.kind === 'import' && q && (q === module || q.startsWith(`${module}.`))) return true;
    }
    return false;
  }

  /** All references (loads, stores, deletions) that resolve to `binding`. */
  references(binding: Binding): Reference[] {
    const cacheKey = binding;
    const cached = this.refCache.get(cacheKey);
    if (cached) return cached;
    const result: Reference[] = [];
    const scopeNode = binding.scope.node;
    const text = this.file.text;
    const name = binding.name;
    const start = scopeNode.startIndex;
    const end = scopeNode.endIndex;
    // Whole words (by code unit), then by code point: a letter outside the BMP next to the name
    // makes it part of a longer name.
    for (const at of this.wordOffsets(name, start, end)) {
      if (isNameCodePoint(codePointBefore(text, at)) || isNameCodePoint(text.codePointAt(at + name.length)))
        continue;
      const node = this.file.root.descendantForIndex(at, at + name.length);
      if (node?.type !== 'identifier' || node.text !== name) continue;
      if (!isNameReference(node)) continue;
      if (this.resolve(node) !== binding) continue;
      result.push({ node, binding, context: referenceContext(node), scope: this.scopeOf(node) });
    }
    this.refCache.set(cacheKey, result);
    return result;
  }
  private readonly refCache = new Map<Binding, Reference[]>();

  /** The binding an identifier refers to, for a `load` of a name at `node`. */
  bindingOf(node: Node): Binding | undefined {
    return node.type === 'identifier' ? this.resolve(node) : undefined;
  }

  /**
   * The value assigned at a binding site, when the site is the whole left side of a simple
   * assignment (`x = value`, `x: T = value`). Undefined for tuple unpacking and other forms.
   */
  assignedValue(site: Node): Node | undefined {
    const parent = parentOf(site);
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === site.id) {
      return parent.childForFieldName('right') ?? undefined;
    }
    // `(name := value)`
    if (parent?.type === 'named_expression' && parent.childForFieldName('name')?.id === site.id) {
      return parent.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }
}

/**
 * The text test of `SemanticModel.onlyUsedIn` on a scope's text `span` (`dotOk`: the span
 * imports nothing).
 */
function onlyCallsAndAttributes(span: string, name: string, dotOk: boolean): boolean {
  for (let i = span.indexOf(name); i >= 0; i = span.indexOf(name, i + 1)) {
    let after = i + name.length;
    while (span[after] === ' ' || span[after] === '\t') after++;
    if (span[after] === '.' && dotOk) continue;
    if (span[after] !== '(') return false;
    let before = i;
    while (before > 0 && isSpaceOrBackslash(span.charCodeAt(before - 1))) before--;
    const preceding = span.slice(Math.max(0, before - 5), before);
    if (preceding.endsWith('def') || preceding.endsWith('class')) return false;
  }
  return true;
}

const SPACE = /\s/;

/** `\s` or `\` (a line continuation): what may stand between `def` and the name it defines. */
function isSpaceOrBackslash(code: number): boolean {
  if (code === 32 || code === 92 || (code >= 9 && code <= 13)) return true;
  return code > 127 && SPACE.test(String.fromCharCode(code));
}

/** Whether a code point is a letter, a digit or `_` (undefined, outside the text, is not). */
function isNameCodePoint(code: number | undefined): boolean {
  if (code === undefined) return false;
  if (code < 128)
    return (
      (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95
    );
  return NON_ASCII_NAME_CHAR.test(String.fromCodePoint(code));
}

/** The code point that ends just before `offset` (a surrogate pair counts as one). */
function codePointBefore(text: string, offset: number): number | undefined {
  if (offset <= 0) return undefined;
  const low = text.charCodeAt(offset - 1);
  if (low >= 0xdc00 && low <= 0xdfff && offset >= 2) {
    const high = text.charCodeAt(offset - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** True when an identifier node names a variable (not an attribute, keyword or import path). */
export function isNameReference(node: Node): boolean {
  const parent = parentOf(node);
  if (!parent) return false;
  switch (parent.type) {
    case 'attribute':
      return parent.childForFieldName('object')?.id === node.id;
    case 'keyword_argument':
      return parent.childForFieldName('name')?.id !== node.id;
    case 'dotted_name':
    case 'aliased_import':
    case 'import_from_statement':
    case 'import_statement':
    case 'global_statement':
    case 'nonlocal_statement':
      return false;
    default:
      // (A function's or class's name is a reference too: its binding site.)
      return true;
  }
}

const PATTERN_TYPES = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'list_splat_pattern',
  'as_pattern_target',
]);

function referenceContext(node: Node): ReferenceContext {
  let child = node;
  let parent = parentOf(node);
  // Climb through patterns: (a, b) = …
  let type = parent?.type; // (each read is a call into wasm: read once per node)
  while (parent && type !== undefined && PATTERN_TYPES.has(type)) {
    child = parent;
    parent = parentOf(parent);
    type = parent?.type;
  }
  if (!parent) return 'load';
  if (type === 'assignment' && parent.childForFieldName('left')?.id === child.id) return 'store';
  if (type === 'augmented_assignment' && parent.childForFieldName('left')?.id === child.id)
    return 'augmented';
  if (type === 'for_statement' && parent.childForFieldName('left')?.id === child.id) return 'store';
  if (type === 'for_in_clause' && parent.childForFieldName('left')?.id === child.id) return 'store';
  if (type === 'as_pattern' && parent.childForFieldName('alias')?.id === child.id) return 'store';
  if (type === 'named_expression' && parent.childForFieldName('name')?.id === child.id) return 'store';
  // `del a` and `del a, b` (the names sit in an expression_list).
  if (
    type === 'delete_statement' ||
    (type === 'expression_list' && parentOf(parent)?.type === 'delete_statement')
  )
    return 'del';
  if (
    (type === 'function_definition' || type === 'class_definition') &&
    parent.childForFieldName('name')?.id === child.id
  )
    return 'store';
  return 'load';
}

/**
 * Which field of `parent` holds `child`, if any. One cursor walk over the children: `child(i)` and
 * `fieldNameForChild(i)` each walk from the first child, quadratic on a wide node.
 */
export function fieldOf(parent: Node, child: Node): string | null {
  const cursor = parent.walk();
  try {
    if (!cursor.gotoFirstChild()) return null;
    do {
      if (cursor.nodeId === child.id) return cursor.currentFieldName;
    } while (cursor.gotoNextSibling());
    return null;
  } finally {
    cursor.delete();
  }
}
