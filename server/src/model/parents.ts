// A node's parent, remembered per tree. web-tree-sitter finds a parent by walking down from the
// root inside wasm and wraps the answer in a new object every time, so the rules' habit of
// climbing from each candidate to its statement, function or class — often through the same
// ancestors — is the costliest tree access the engine makes. A parsed tree does not change, so
// each answer is kept until the engine's analysis of the tree ends (`forgetTree`).
import type { Node, Tree } from '../parser';

/**
 * Answers about the nodes of a tree, kept until the engine's analysis of that tree ends
 * (`forgetTree`). Every memo is a module-level constant, so the list of them stays small.
 */
export class NodeMemo<T> {
  private readonly byTree = new WeakMap<Tree, Map<number, T>>();
  /** The tree asked about last and its answers (one analysis asks about one tree, again and again). */
  private lastTree: Tree | undefined;
  private lastAnswers: Map<number, T> | undefined;

  constructor() {
    memos.push(this as NodeMemo<unknown>);
  }

  private answersFor(tree: Tree): Map<number, T> {
    if (tree === this.lastTree && this.lastAnswers) return this.lastAnswers;
    let answers = this.byTree.get(tree);
    if (!answers) {
      answers = new Map();
      this.byTree.set(tree, answers);
    }
    this.lastTree = tree;
    this.lastAnswers = answers;
    return answers;
  }

  get(node: Node, compute: (node: Node) => T): T {
    const answers = this.answersFor(node.tree);
    const known = answers.get(node.id);
    if (known !== undefined || answers.has(node.id)) return known as T;
    const answer = compute(node);
    answers.set(node.id, answer);
    return answer;
  }

  /** Records an answer computed alongside another (the parent of every sibling at once). */
  set(node: Node, answer: T): void {
    this.answersFor(node.tree).set(node.id, answer);
  }

  forget(tree: Tree): void {
    this.byTree.delete(tree);
    if (this.lastTree === tree) {
      this.lastTree = undefined;
      this.lastAnswers = undefined;
    }
  }
}

const memos: NodeMemo<unknown>[] = [];

/** Forget every memo's answers for `tree` (a tree the language server edits must not keep stale nodes). */
export function forgetTree(tree: Tree): void {
  for (const memo of memos) memo.forget(tree);
}

const parents = new NodeMemo<Node | null>();

/** `node.parent`, asked of wasm once per node and analysis. (`parentOf(x)` for `x?.parent`.) */
export function parentOf(node: Node): Node | null;
export function parentOf(node: Node | null | undefined): Node | null | undefined;
export function parentOf(node: Node | null | undefined): Node | null | undefined {
  if (!node) return undefined;
  return parents.get(node, (n) => {
    const parent = n.parent;
    // Finding a parent walks its children from the first: on a wide node (a flat ERROR node of
    // thousands of children, a module of thousands of statements) asking each child in turn is
    // quadratic. One pass over the children answers for all of them.
    if (parent && parent.childCount > WIDE)
      for (const child of parent.children) if (child) parents.set(child, parent);
    return parent;
  });
}

/** Above this many children, a parent answers for all its children at once. */
const WIDE = 32;
