// Generated Python files whose shape once made the engine quadratic (issue 13), shared by
// test/model/wide-shapes.test.ts (what is found) and bench/shapes.bench.ts (how long it takes).

/** `v = <'a if b else ' × n> a if b els\x00e <same> c`: one ERROR node with ~4n children. */
export function wideErrorLine(n: number): string {
  const rep = 'a if b else '.repeat(n);
  return `v = ${rep}a if b els\x00e ${rep}c\n`;
}

/** `n` classes with their own class-level attributes; `Leaky.seen` in the middle is a real leak. */
export function manyClasses(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++)
    parts.push(
      `class Registry${i}:\n    handlers_${i} = {}\n    names_${i} = []\n    limit_${i} = 10\n\n` +
        `    def lookup(self, key):\n        return self.handlers_${i}.get(key, self.limit_${i})\n\n` +
        `    def describe(self):\n        return [n for n in self.names_${i} if n]\n\n\n`,
    );
  parts.splice(
    n >> 1,
    0,
    'class Leaky:\n    seen = {}\n\n    def on_request(self, request):\n        self.seen[request.id] = request\n        return request\n\n\n',
  );
  return parts.join('');
}

/**
 * One class with `n` methods, each writing a class-level and a module-level dict and calling the
 * next method: how often each method runs is asked of its call sites in the class.
 */
export function bigClass(n: number): string {
  const parts = ['_cache = {}\n\n\nclass Big:\n    registry = {}\n\n'];
  for (let i = 0; i < n; i++)
    parts.push(
      `    def m${i}(self, key):\n        self.registry[key] = key\n        _cache[key] = self.m${(i + 1) % n}\n` +
        `        return self.helper${i}(key)\n\n`,
    );
  return parts.join('');
}
