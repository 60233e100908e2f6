// A node's parent, remembered per tree. web-tree-sitter finds a parent by walking down from the
// root inside wasm and wraps the answer in a new object every time, so the rules' habit of
// climbing from each candidate to its statement, function or class — often through the same
// ancestors — is the costliest tree access the engine makes. A parsed tree does not change, so
// each answer is kept until the engine's analysis of the tree ends (`forgetParents`).
import type { Node, Tree } from '../parser';

const parentsByTree = new WeakMap<Tree, Map<number, Node | null>>();

/** `node.parent`, asked of wasm once per node and analysis. (`parentOf(x)` for `x?.parent`.) */
export function parentOf(node: Node): Node | null;
export function parentOf(node: Node | null | undefined): Node | null | undefined;
export function parentOf(node: Node | null | undefined): Node | null | undefined {
  if (!node) return undefined;
  let parents = parentsByTree.get(node.tree);
  if (!parents) {
    parents = new Map();
    parentsByTree.set(node.tree, parents);
  }
  let parent = parents.get(node.id);
  if (parent === undefined) {
    parent = node.parent;
    parents.set(node.id, parent);
  }
  return parent;
}

/** Forget the parents kept for `tree` (a tree the language server edits must not keep stale nodes). */
export function forgetParents(tree: Tree): void {
  parentsByTree.delete(tree);
}
