// A bound method of the object stored on the object itself (`self.state = self.state_idle`, the
// state-machine idiom): the object refers to itself through the method's `__self__`. The fix
// declares the attribute in the class body as a small data descriptor, added once to the module,
// that stores the method's function and binds it again on every read:
//     class Machine:
//         state = _SelfMethod()
// Every read still gives a bound method of the object, so calls, `==` between bound methods
// (`self.state == self.state_done`), `__name__` and `hasattr` behave as before, and the code that
// assigns the attribute is left as it is. Unsafe: `vars(obj)` shows the stored function, and a
// `copy.copy` of the object now calls its own method instead of the original's.
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import type { Node } from '../parser';
import type { Fix, TextEdit } from '../types';
import { bodyStatements, definedName } from './class-body';
import { insertAt } from './edits';
import { ensureModuleImport } from './imports';
import { addModuleStatement } from './module-statement';
import { insertStatementsAfter } from './statements';
import { fileIndentUnit } from './wrap-with';

export const SELF_METHOD_DESCRIPTOR = '_SelfMethod';

/** A `def` in a class body, perhaps decorated, but not a staticmethod, classmethod or property. */
function isPlainMethod(stmt: Node): boolean {
  if (stmt.type === 'function_definition') return true;
  if (stmt.type !== 'decorated_definition') return false;
  const decorators = stmt.namedChildren.filter((c) => c?.type === 'decorator');
  return !decorators.some((d) =>
    /\b(staticmethod|classmethod|property|cached_property|setter)\b/.test(d?.text ?? ''),
  );
}

/** Whether the class body declares `slot = _SelfMethod()`: the fix has been applied. */
export function declaresSelfMethod(cls: Node, slot: string): boolean {
  return bodyStatements(cls).some((s) => {
    const assignment = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const right = assignment?.type === 'assignment' ? assignment.childForFieldName('right') : undefined;
    return (
      assignment?.childForFieldName('left')?.text === slot &&
      right?.type === 'call' &&
      right.childForFieldName('function')?.text === SELF_METHOD_DESCRIPTOR
    );
  });
}

function helperDefined(file: SourceFile): boolean {
  return file.root.namedChildren.some(
    (c) => c?.type === 'class_definition' && c.childForFieldName('name')?.text === SELF_METHOD_DESCRIPTOR,
  );
}

function helperText(types: string, unit: string, eol: string): string {
  const i = (n: number) => unit.repeat(n);
  return [
    `class ${SELF_METHOD_DESCRIPTOR}:`,
    `${i(1)}"""An attribute holding a bound method of its own object: the function is stored and bound`,
    `${i(1)}again on each read, so the object does not refer to itself through the attribute."""`,
    '',
    `${i(1)}def __init__(self, default=None):`,
    `${i(2)}self.default = default`,
    '',
    `${i(1)}def __set_name__(self, owner, name):`,
    `${i(2)}self.public = name`,
    `${i(2)}self.private = "_" + name + "_self_method"`,
    '',
    `${i(1)}def __get__(self, obj, objtype=None):`,
    `${i(2)}if obj is None:`,
    `${i(3)}return self if self.default is None else self.default`,
    `${i(2)}try:`,
    `${i(3)}is_own, value = obj.__dict__[self.private]`,
    `${i(2)}except KeyError:`,
    `${i(3)}if self.default is not None:`,
    `${i(4)}bind = getattr(type(self.default), "__get__", None)`,
    `${i(4)}return bind(self.default, obj, objtype) if bind else self.default`,
    `${i(3)}raise AttributeError(self.public) from None`,
    `${i(2)}return ${types}.MethodType(value, obj) if is_own else value`,
    '',
    `${i(1)}def __set__(self, obj, value):`,
    `${i(2)}if getattr(value, "__self__", None) is obj and hasattr(value, "__func__"):`,
    `${i(3)}obj.__dict__[self.private] = (True, value.__func__)`,
    `${i(2)}else:`,
    `${i(3)}obj.__dict__[self.private] = (False, value)`,
    '',
    `${i(1)}def __delete__(self, obj):`,
    `${i(2)}if obj.__dict__.pop(self.private, None) is None:`,
    `${i(3)}raise AttributeError(self.public)`,
  ].join(eol);
}

export function selfMethodFix(
  file: SourceFile,
  model: SemanticModel,
  cls: Node,
  slot: string,
): Fix | undefined {
  if (cls.parent?.type === 'decorated_definition') return undefined; // @dataclass, attrs: fields
  if (!/^[A-Za-z_]\w*$/.test(slot)) return undefined;
  const statements = bodyStatements(cls);
  const names = statements.map(definedName);
  if (names.some((n) => n && ['__slots__', '__getattr__', '__setattr__'].includes(n))) return undefined;
  // A method of the same name (`def handle(self, e)` replaced by `self.handle = self.other`): the
  // descriptor goes after it and gives it back until the attribute is set.
  const defined = statements.filter((s) => definedName(s) === slot);
  const method = defined.length === 1 && isPlainMethod(defined[0]) ? defined[0] : undefined;
  if (defined.length > 0 && !method) return undefined;
  const first = statements[0];
  if (!first || first.startPosition.row === cls.startPosition.row) return undefined;
  // Only a module-level class: the descriptor is defined before it.
  if (cls.parent?.type !== 'module') return undefined;
  const unit = fileIndentUnit(file);
  const edits: TextEdit[] = [];
  if (!helperDefined(file)) {
    const types = ensureModuleImport(file, model, 'types', cls.startIndex);
    edits.push(
      // Two blank lines around a top-level class.
      ...addModuleStatement(
        file,
        `${file.eol}${helperText(types.name, unit, file.eol)}${file.eol}`,
        cls.startIndex,
        types.edits,
      ),
    );
  }
  const declaration = `${slot} = ${SELF_METHOD_DESCRIPTOR}(${method ? slot : ''})`;
  if (method) {
    const indent = file.indentOf(method.startPosition.row);
    edits.push(
      insertAt(file, file.lineEnd(method.endPosition.row), `${file.eol}${file.eol}${indent}${declaration}`),
    );
    return {
      title: `Keep \`.${slot}\` as a method bound on each read (\`${declaration}\`): no reference to itself`,
      edits,
      applicability: 'unsafe',
      isPreferred: true,
    };
  }
  const docstring = first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
  const indent = file.indentOf(first.startPosition.row);
  edits.push(
    docstring
      ? insertStatementsAfter(file, first, [declaration])
      : insertAt(file, first.startIndex, `${declaration}${file.eol}${file.eol}${indent}`),
  );
  return {
    title: `Keep \`.${slot}\` as a method bound on each read (\`${declaration}\`): no reference to itself`,
    edits,
    applicability: 'unsafe',
    isPreferred: true,
  };
}
