// Fixes for a logging handler (or filter) added to a process-wide logger by a plain function —
// no class, so no `close()` to remove it in. Two shapes, both unsafe (a careful reviewer decides):
// - attach once: `if not logger.handlers:` around the call, for a function that configures the
//   logger and hands it out (`get_logger()`): a logger configured elsewhere then gets no handler;
// - remove when done: name the handler, and `try:` … `finally: logger.removeHandler(handler)`
//   around the rest of the function, for a function that logs through the handler while it runs
//   (an export writing its log to a stream): records logged after it returns no longer reach it.
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import { positionalArguments, unparenthesizedParent } from '../model/usage';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { replaceRange } from './edits';
import { freshName, insertStatementsBefore } from './statements';
import { wrapInTryFinally, wrapStatements } from './wrap-with';

/** The receiver is cheap and gives the same logger again: a name, `self.log`, `logging.getLogger("x")`. */
function reevaluable(model: SemanticModel, receiver: Node): boolean {
  if (receiver.type === 'identifier' || receiver.type === 'attribute')
    return receiver.descendantsOfType('call').length === 0;
  if (receiver.type !== 'call' || model.calleeName(receiver) !== 'logging.getLogger') return false;
  const args = receiver.childForFieldName('arguments')?.namedChildren ?? [];
  return args.every((a) => !a || a.type === 'comment' || a.type === 'string' || a.type === 'identifier');
}

function mentions(node: Node, text: string): boolean {
  return node.descendantsOfType(['identifier', 'attribute', 'call']).some((n) => n?.text === text);
}

export interface HandlerRegistration {
  call: Node;
  receiver: Node;
  /** `addHandler` or `addFilter`. */
  method: string;
  /** The handler (or filter) expression. */
  handler: Node;
  /** The function the call sits in. */
  fn: Node;
}

export function loggingHandlerFixes(file: SourceFile, model: SemanticModel, reg: HandlerRegistration): Fix[] {
  const { call, receiver, fn } = reg;
  const stmt = unparenthesizedParent(call).parent;
  if (stmt?.type !== 'expression_statement' || stmt.namedChildCount !== 1) return [];
  if (!reevaluable(model, receiver) || receiver.text.includes('\n')) return [];
  const body = fn.childForFieldName('body');
  const fixes: Fix[] = [];
  const later = (body?.namedChildren ?? []).filter(
    (s): s is Node => !!s && s.type !== 'comment' && s.startIndex > stmt.startIndex,
  );
  // The logger handed to the caller (`return logger`): it is used after the function returns.
  const handsOut =
    fn
      .descendantsOfType(['return_statement', 'yield'])
      .some((r) => !!r && (mentions(r, receiver.text) || r.text.includes(reg.handler.text))) ||
    fn.descendantsOfType('global_statement').length > 0;
  const logsLater = later.some((s) => mentions(s, receiver.text));
  if (
    stmt.parent?.id === body?.id &&
    later.length > 0 &&
    logsLater &&
    !handsOut &&
    reg.handler.type === 'call'
  ) {
    const removal = removeWhenDone(file, model, reg, stmt, later);
    if (removal) fixes.push(removal);
  }
  const list = reg.method === 'addFilter' ? 'filters' : 'handlers';
  // A guard per registration breaks a function that adds two handlers to one logger: the second
  // guard always finds the first handler and never attaches its own.
  const siblings = fn.descendantsOfType('call').filter((c) => {
    const callee = c?.childForFieldName('function');
    return (
      callee?.type === 'attribute' &&
      callee.childForFieldName('attribute')?.text === reg.method &&
      callee.childForFieldName('object')?.text === receiver.text
    );
  });
  // So several are guarded together, when they are consecutive statements of one block.
  const statements = siblings.map((c) => (c ? unparenthesizedParent(c).parent : null));
  const together = statements.every(
    (st, i) =>
      st?.type === 'expression_statement' &&
      st.parent?.id === stmt.parent?.id &&
      (i === 0 || statements[i - 1]?.nextNamedSibling?.id === st.id),
  );
  if (!together) return fixes;
  const first = statements[0] ?? stmt;
  const last = statements[statements.length - 1] ?? stmt;
  // Test by the handlers' own classes where they are known: a library's logger often holds a
  // `NullHandler` from import, and a test runner's capture handler sits on the root logger, so
  // `if not logger.handlers:` would never attach anything there.
  const classes = siblings.map((c) => (c ? handlerClass(model, positionalArguments(c)[0]) : undefined));
  const known = classes.every((k) => !!k) ? [...new Set(classes as string[])] : undefined;
  const condition = !known
    ? `not ${receiver.text}.${list}`
    : known.length === 1
      ? `not any(type(h) is ${known[0]} for h in ${receiver.text}.${list})`
      : `not any(type(h) in (${known.join(', ')}) for h in ${receiver.text}.${list})`;
  const guard = wrapStatements({
    file,
    first,
    last,
    mode: 'insert',
    header: `if ${condition}:`,
  });
  const noun = reg.method === 'addFilter' ? 'filter' : 'handler';
  if (guard)
    fixes.push({
      title: `Attach the ${siblings.length > 1 ? `${noun}s` : noun} once: \`if ${condition}:\``,
      edits: [guard],
      applicability: 'unsafe',
      isPreferred: fixes.length === 0,
    });
  return fixes;
}

/**
 * The class a handler (or filter) expression makes: `logging.FileHandler(p)`, or a local bound
 * once to such a call. A callee named like a class (capitalised) only: a factory function may
 * return anything.
 */
function handlerClass(model: SemanticModel, expr: Node | undefined): string | undefined {
  let value: Node | undefined = expr;
  if (value?.type === 'identifier') {
    const binding = model.resolve(value);
    if (binding?.kind !== 'assignment' || binding.sites.length !== 1) return undefined;
    value = model.assignedValue(binding.sites[0]);
  }
  if (value?.type !== 'call') return undefined;
  const callee = value.childForFieldName('function');
  if (callee?.type !== 'identifier' && callee?.type !== 'attribute') return undefined;
  const last = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.text;
  return last && /^[A-Z]/.test(last) && !callee.text.includes('\n') ? callee.text : undefined;
}

function removeWhenDone(
  file: SourceFile,
  model: SemanticModel,
  reg: HandlerRegistration,
  stmt: Node,
  later: Node[],
): Fix | undefined {
  const name = freshName(model, reg.call, reg.fn, [reg.method === 'addFilter' ? 'log_filter' : 'handler']);
  const remover = reg.method === 'addFilter' ? 'removeFilter' : 'removeHandler';
  const wrap = wrapInTryFinally(file, later[0], later[later.length - 1], [
    `${reg.receiver.text}.${remover}(${name})`,
  ]);
  if (!wrap) return undefined;
  const edits: TextEdit[] = [
    insertStatementsBefore(file, stmt, [`${name} = ${reg.handler.text}`]),
    replaceRange(file, reg.handler.startIndex, reg.handler.endIndex, name),
    wrap,
  ];
  if (reg.handler.text.includes('\n')) return undefined;
  return {
    title: `Remove the ${reg.method === 'addFilter' ? 'filter' : 'handler'} when \`${nameOf(reg.fn)}()\` is done: \`try\`/\`finally: ${reg.receiver.text}.${remover}(${name})\``,
    edits,
    applicability: 'unsafe',
    isPreferred: true,
  };
}

function nameOf(fn: Node): string {
  return fn.childForFieldName('name')?.text ?? 'the function';
}
