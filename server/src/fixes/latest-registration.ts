// LEAK005's last resort, when no cleanup method can take the removal and the function cannot
// undo the registration itself (an `atexit` callback must stay registered until the exit, a
// receiver must stay connected until its signal fires): keep only the latest registration. The
// listener goes in a slot — an attribute of `self` in a method, a module-level name in a plain
// function — and the one the slot holds from the previous call is removed before the new one is
// registered, so at most one is registered at a time (per object, in a method). Unsafe: what an
// earlier call registered no longer runs (the exit callback of an earlier call, the receiver
// connected for earlier arguments).
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { topLevelStatement } from './class-body';
import { replaceRange } from './edits';
import { addModuleStatement } from './module-statement';
import { enclosingStatement, insertStatementsAfter, isAloneOnItsLines } from './statements';
import { indentUnitOf } from './wrap-with';

export interface LatestRegistrationRequest {
  file: SourceFile;
  /** The registration call (`atexit.register(cleanup)`), alone in its statement. */
  call: Node;
  /** The listener passed to it. */
  listener: Node;
  /** The function that registers, and the class and instance parameter when it is a method. */
  fn: Node;
  method?: { cls: Node; selfName: string };
  /** What the slot is named after (the emitter, else the listener), and the end of its name. */
  namedAfter: Node;
  /** `at_exit` or `listener`. */
  suffix: string;
  /** The call that removes the listener held by `slot` (`atexit.unregister(slot)`), if known. */
  removal(slot: string): string | undefined;
}

export function latestRegistrationFix(req: LatestRegistrationRequest): Fix | undefined {
  const { file, call, listener, fn, method } = req;
  const statement = enclosingStatement(call);
  if (statement.type !== 'expression_statement' || statement.parent?.type !== 'block') return undefined;
  if (statement.namedChildren[0]?.id !== call.id || !isAloneOnItsLines(file, statement)) return undefined;
  const fnName = fn.childForFieldName('name')?.text;
  if (fn.type !== 'function_definition' || !fnName) return undefined;
  const base = slotBase(req.namedAfter);
  if (!base) return undefined;
  const indent = file.indentOf(statement.startPosition.row);
  const unit = indentUnitOf(file, statement.parent, indent) ?? '    ';
  let slot: string;
  let guard: string;
  const lines: string[] = [];
  const edits: TextEdit[] = [];
  if (method) {
    const attribute = `_${base}_${req.suffix}`;
    if (wordIn(method.cls.text, attribute)) return undefined;
    slot = `${method.selfName}.${attribute}`;
    guard = `if getattr(${method.selfName}, "${attribute}", None) is not None:`;
  } else {
    slot = `_${fnName.replace(/^_+/, '')}_${req.suffix}`;
    if (wordIn(file.text, slot)) return undefined;
    guard = `if ${slot} is not None:`;
    lines.push(`global ${slot}`);
    edits.push(...addModuleStatement(file, `${slot} = None`, topLevelStatement(fn).startIndex, []));
  }
  const removal = req.removal(slot);
  if (!removal || removal.includes('\n')) return undefined;
  const text = file.text;
  const registration =
    text.slice(statement.startIndex, listener.startIndex) +
    slot +
    text.slice(listener.endIndex, statement.endIndex);
  const listenerText = text.slice(listener.startIndex, listener.endIndex);
  lines.push(guard, `${unit}${removal}`, `${slot} = ${listenerText}`, registration);
  edits.push(
    replaceRange(file, statement.startIndex, statement.endIndex, lines.join(`${file.eol}${indent}`)),
  );
  const owner = method ? 'object' : 'process';
  return {
    title: `Keep only the latest registration: remove the one the previous call made first (one per ${owner})`,
    edits,
    applicability: 'unsafe',
  };
}

/** A name after `node`: `cleanup`, `self.pool.close` → `pool_close`, `make_handler(...)` → `make_handler`. */
function slotBase(named: Node): string | undefined {
  let node = named;
  if (node.type === 'call') node = node.childForFieldName('function') ?? node;
  const parts: string[] = [];
  while (node.type === 'attribute') {
    parts.unshift(node.childForFieldName('attribute')?.text ?? '');
    const object = node.childForFieldName('object');
    if (!object) break;
    node = object;
  }
  if (node.type === 'identifier' && parts.length === 0) parts.push(node.text);
  if (named.type === 'lambda') parts.push('callback');
  const words = parts
    .slice(-2)
    .map((p) => p.replace(/^_+/, ''))
    .filter((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p));
  return words.length > 0 ? words.join('_') : undefined;
}

function wordIn(text: string, word: string): boolean {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${word}(?![\\p{L}\\p{N}_])`, 'u').test(text);
}

/** Release methods that do nothing the second time: the exit's call after the code's own is a no-op. */
const IDEMPOTENT_RELEASES = new Set(['close', 'shutdown', 'stop', 'terminate', 'dispose', 'cleanup']);

/**
 * `self.pool.close()` … `self.pool = ThreadPool(n)` … `atexit.register(self.pool.close)`: the code
 * releases the old object itself before it registers the new one's release, so the old
 * registration only closes again at exit what is closed already. Unregister it right after the
 * code's own call: the registrations no longer pile up, and every object is still released
 * once. Safe for the release methods that do nothing the second time.
 */
export function unregisterWhereRunFix(
  file: SourceFile,
  call: Node,
  listener: Node,
  removal: string | undefined,
): Fix | undefined {
  const method = listener.type === 'attribute' ? listener.childForFieldName('attribute')?.text : undefined;
  if (!method || !IDEMPOTENT_RELEASES.has(method) || !removal || removal.includes('\n')) return undefined;
  const statement = enclosingStatement(call);
  const block = statement.parent;
  if (block?.type !== 'block') return undefined;
  const text = listener.text.replace(/\s+/g, '');
  for (const s of block.namedChildren) {
    if (!s || s.startIndex >= statement.startIndex) break;
    const expr = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const args = expr?.type === 'call' ? expr.childForFieldName('arguments') : undefined;
    if (!expr || args?.namedChildCount !== 0) continue;
    if (expr.childForFieldName('function')?.text.replace(/\s+/g, '') !== text) continue;
    if (!isAloneOnItsLines(file, s)) return undefined;
    return {
      title: `Unregister \`${listener.text}\` where the code runs it itself: \`${removal}\``,
      edits: [insertStatementsAfter(file, s, [removal])],
      applicability: 'safe',
      isPreferred: true,
    };
  }
  return undefined;
}
