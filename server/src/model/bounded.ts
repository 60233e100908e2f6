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
    q === 'typing.Type' ||
    // Any enum's members (`dict[Enum, str]`): a finite set of singletons defined in code.
    /^enum\.(Enum|IntEnum|StrEnum|Flag|IntFlag)$/.test(q ?? '')
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

/** The key and value types of a `dict[K, V]` annotation, when it has two (see dictKeyType). */
export function dictTypeArguments(type: Node): [Node, Node] | undefined {
  const inner = type.type === 'type' ? type.namedChildren[0] : type;
  if (inner?.type !== 'generic_type') return undefined;
  const params = inner.namedChildren.find((c) => c?.type === 'type_parameter');
  const types = (params?.namedChildren ?? []).filter((c): c is Node => c?.type === 'type');
  return types.length === 2 ? [types[0], types[1]] : undefined;
}

/** Names of configuration objects: `settings`, `config`, `app_config`, `django_settings`, `opts`. */
const CONFIG_OBJECT =
  /^(settings|config|conf|cfg|configuration|options|opts)$|_(settings|config|conf|cfg)$|^(settings|config)_/i;

/** A constant's name: `OPENID_CONFIG_URL`, `DEFAULT_MODEL` (at least two letters, no lower case). */
const CONSTANT_NAME = /^_*[A-Z][A-Z0-9_]+$/;

/** Whether an `a.b.c` chain goes through a configuration object (`settings.X`, `self.config.url`). */
function throughConfigObject(node: Node): boolean {
  for (let n: Node | null = node; n; n = n.type === 'attribute' ? n.childForFieldName('object') : null) {
    const part =
      n.type === 'attribute' ? n.childForFieldName('attribute') : n.type === 'identifier' ? n : null;
    if (part && CONFIG_OBJECT.test(part.text)) return true;
  }
  return false;
}

/**
 * A value set by configuration, not by traffic: a module-level or imported constant
 * (`OPENID_CONFIG_URL`), an enum member or class constant (`Provider.OPENAI`), a setting
 * (`settings.CACHE_URL`, `config.get("url")`, `app.config["URL"]`), an environment variable
 * (`os.environ["X"]`, `os.getenv("X")`), or `a or b` / `a if c else b` of such values and literals.
 * A cache or registry keyed by such values holds one entry per configured value, whatever the
 * number of requests: bounded by the configuration. `isLiteral` judges the literals.
 */
export function isConfiguredValue(
  model: SemanticModel,
  node: Node,
  isLiteral: (n: Node) => boolean,
): boolean {
  const configured = (n: Node | null): boolean =>
    !!n && (isLiteral(n) || isConfiguredValue(model, n, isLiteral));
  switch (node.type) {
    case 'parenthesized_expression':
      return configured(node.namedChildren[0] ?? null);
    case 'boolean_operator':
      return configured(node.childForFieldName('left')) && configured(node.childForFieldName('right'));
    case 'conditional_expression': {
      const [then, , otherwise] = node.namedChildren;
      return configured(then ?? null) && configured(otherwise ?? null);
    }
    case 'identifier': {
      // `config` itself: a configuration object (read through `.get()` or a subscript above).
      if (CONFIG_OBJECT.test(node.text)) return true;
      if (!CONSTANT_NAME.test(node.text)) return false;
      const binding = model.resolve(node);
      return (
        binding?.scope === model.moduleScope && (binding.kind === 'import' || binding.kind === 'assignment')
      );
    }
    case 'attribute': {
      const q = model.qualifiedName(node);
      if (q === 'os.environ') return true;
      const attr = node.childForFieldName('attribute')?.text ?? '';
      const obj = node.childForFieldName('object');
      // `Provider.OPENAI`, `Config.TIMEOUT`: a member or constant of a class.
      if (CONSTANT_NAME.test(attr) && obj?.type === 'identifier' && /^[A-Z]/.test(obj.text)) return true;
      return throughConfigObject(node);
    }
    case 'subscript': {
      const value = node.childForFieldName('value');
      const keys = node
        .childrenForFieldName('subscript')
        .filter((k): k is Node => !!k && k.type !== 'comment');
      return !!value && keys.every((k) => isLiteral(k)) && isConfiguredValue(model, value, isLiteral);
    }
    case 'call': {
      const q = model.calleeName(node);
      if (q === 'os.getenv' || q === 'os.environ.get') return true;
      const callee = node.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'get') return false;
      const obj = callee.childForFieldName('object');
      const args =
        node.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
      return !!obj && !!args[0] && isLiteral(args[0]) && isConfiguredValue(model, obj, isLiteral);
    }
  }
  return false;
}

/**
 * The switch (`C_BENCH`, `settings.DEBUG`, `os.environ.get("PROFILE")`) of a module-level
 * `if SWITCH:` whose body holds `node`, when the switch is a configured value: the code exists
 * only in a mode the configuration turns on (a benchmark or debug mode). Undefined otherwise,
 * and for `if TYPE_CHECKING:` (never run) and the `else` branch (the default mode).
 */
export function configuredSwitch(model: SemanticModel, node: Node): string | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'block' || p.parent?.type !== 'if_statement' || p.parent.parent?.type !== 'module')
      continue;
    const stmt = p.parent;
    if (stmt.childForFieldName('consequence')?.id !== p.id) return undefined;
    const cond = stmt.childForFieldName('condition');
    if (!cond || cond.text === 'TYPE_CHECKING' || /\bTYPE_CHECKING\b/.test(cond.text)) return undefined;
    const literal = (n: Node) => ['string', 'integer', 'float', 'true', 'false', 'none'].includes(n.type);
    return isConfiguredValue(model, cond, literal) ? cond.text : undefined;
  }
  return undefined;
}
