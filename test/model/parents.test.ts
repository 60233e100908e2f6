// parentOf answers what web-tree-sitter's own `node.parent` answers, from its memo too (the
// answers kept for a tree, the children of a wide node answered for at once): every node of real
// files, asked in a random order, and of the same files cut and mangled into syntax errors.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forgetTree, parentOf } from '../../server/src/model/parents';
import { initParser, type Node, parsePython } from '../../server/src/parser';

function stdlib(): string {
  return execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    encoding: 'utf8',
  }).trim();
}

/** A deterministic pseudo-random sequence (the same cases on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function allNodes(root: Node): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      out.push(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out;
    }
  } finally {
    cursor.delete();
  }
}

/** Real files (one a wide module), a long flat module, and each of them mangled. */
function texts(): { name: string; text: string }[] {
  const dir = stdlib();
  const files = ['typing.py', 'argparse.py'].map((f) => ({
    name: f,
    text: readFileSync(join(dir, f), 'utf8'),
  }));
  const flat = Array.from({ length: 300 }, (_, i) => `x${i} = f(${i}, [a for a in b])  # c\n`).join('');
  files.push({ name: 'a flat module', text: `${flat}def g():\n    return x1\n${flat}` });
  const rnd = random(7);
  const mangled = files.map(({ name, text }) => {
    let t = text;
    for (let k = 0; k < 20; k++) {
      const at = Math.floor(rnd() * t.length);
      const cut = Math.floor(rnd() * 40);
      const insert = ['', '(', ')', ':', '\n', 'def ', '"""', '  ', 'x ='][Math.floor(rnd() * 9)];
      t = t.slice(0, at) + insert + t.slice(at + cut);
    }
    return { name: `${name}, mangled`, text: t };
  });
  return [...files, ...mangled];
}

describe('parentOf', () => {
  before(async () => initParser());

  for (const { name, text } of texts()) {
    it(`answers as node.parent does on ${name}`, () => {
      const tree = parsePython(text);
      try {
        const nodes = allNodes(tree.rootNode);
        const rnd = random(nodes.length);
        const order = nodes.map((n, i) => [rnd(), i] as const).sort((a, b) => a[0] - b[0]);
        for (const [, i] of order) {
          const node = nodes[i];
          assert.equal(
            parentOf(node)?.id ?? null,
            node.parent?.id ?? null,
            `${node.type} at ${node.startIndex}`,
          );
        }
      } finally {
        forgetTree(tree);
        tree.delete();
      }
    }).timeout(60_000);
  }
});
