// Values from a closed set: what a parameter or a key can hold when the code says so by its type
// (`flag: bool`, `mode: Literal[...]`, `region: Region` for an enum of the module, `cls:
// type[Base]`) or by naming convention (`cls`, `model`, `form_class`: a class). A cache or a
// registry keyed by such values holds at most one entry per member or class: bounded, not a leak.
import type { Node } from '../parser';
import type { SemanticModel } from './semantic';

/** Names that hold a class by convention: `cls`, `klass`, `model`, `serializer_class`, `filter_cls`. */
export const CLASS_NAME = /^(cls|klass|kls|model|model_cls|[A-Za-z_]*_(class|cls|klass))$/;

/** The generic head of an annotation: `dict` in `dict[str, int]`, `typing.Dict` in `typing.Dict[…]`. */
export function annotationHead(type: Node): Node | undefined {
  const inner = type.type === 'type' ? type.namedChildren[0] : type;
  if (!inner) return undefined;
  if (inner.type === 'identifier' || inner.type === 'attribute') return inner;
  if (inner.type === 'generic_type') {
    const head = inner.namedChildren[0];
    return head?.type === 'identifier' || head?.type === 'attribute' ? head : undefined;
  }
  if (inner.type === 'subscript') {
    const head = inner.childForFieldName('value');
    return head?.type === 'identifier' || head?.type === 'attribute' ? head : undefined;
  }
  return undefined;
}

/** A class of this module deriving from `enum.*` (`Enum`, `IntEnum`, `StrEnum`, `Flag`). */
export function isEnumClass(model: SemanticModel, classNode: Node): boolean {
  const bases = classNode.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.some(
    (b) => !!b && b.type !== 'keyword_argument' && (model.qualifiedName(b) ?? '').startsWith('enum.'),
  );
}

/** Parameters whose values come from a small closed set (`flag: bool`, `mode: Literal[...]`, an enum, a class). */
export function isBoundedParameter(model: SemanticModel, param: Node): boolean {
  const name =
    param.type === 'identifier'
      ? param
      : (param.childForFieldName('name') ?? param.namedChildren.find((c) => c?.type === 'identifier'));
  // A class factory (`def subclass_for(model_class)`) is bounded by the number of classes.
  if (name?.type === 'identifier' && CLASS_NAME.test(name.text)) return true;
  // `partial=False`: a flag.
  const value = param.childForFieldName('value');
  if (value?.type === 'true' || value?.type === 'false') return true;
  const type = param.childForFieldName('type');
  return !!type && isBoundedType(model, type);
}

/**
 * A type whose values come from a closed set: `bool`, `Literal[...]`, `type[...]`, or an enum —
 * of this module, or a class the project index knows as an enum (`from .constants import
 * Source`, `class Source(str, Enum)` there).
 */
export function isBoundedType(model: SemanticModel, type: Node): boolean {
  const head = annotationHead(type);
  const q = head ? model.qualifiedName(head) : undefined;
  if (
    q === 'builtins.bool' ||
    q === 'typing.Literal' ||
    q === 'typing_extensions.Literal' ||
    q === 'builtins.type' ||
    q === 'typing.Type'
  )
    return true;
  if (!head) return false;
  // An enum of this module: one entry per member at most.
  if (head.type === 'identifier') {
    const binding = model.resolve(head);
    const def = binding?.kind === 'class' ? binding.sites[0]?.parent : undefined;
    if (def?.type === 'class_definition') return isEnumClass(model, def);
  }
  const name = head.type === 'attribute' ? head.childForFieldName('attribute')?.text : head.text;
  return !!name && !!model.file.project?.isEnum(name);
}

/**
 * The key type of a dict annotation (`Source` in `dict[Source, type[Connector]]`,
 * `typing.Dict[str, int]`), if the annotation is a subscripted generic.
 */
export function dictKeyType(type: Node): Node | undefined {
  const inner = type.type === 'type' ? type.namedChildren[0] : type;
  if (inner?.type === 'generic_type') {
    const params = inner.namedChildren.find((c) => c?.type === 'type_parameter');
    return params?.namedChildren.find((c) => c?.type === 'type') ?? undefined;
  }
  if (inner?.type === 'subscript') return inner.childrenForFieldName('subscript')[0] ?? undefined;
  return undefined;
}
