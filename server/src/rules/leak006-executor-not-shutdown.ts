// LEAK006 executor-not-shutdown: thread and process pools created inside a function (or inline as
// an argument) and never shut down: their worker threads or processes outlive the work.
import type { FixPolicy } from '../fixes/resource-fixes';
import { type Creation, flowOf, type Leak, type NamedResource, type ResourceKind } from '../model/lifecycle';
import { callLabel, checkResources, type Factory, type ResourceRuleSpec } from '../model/resource-check';
import type { SemanticModel } from '../model/semantic';
import { mayCallAny } from '../model/text-calls';
import { keywordArgument, positionalArguments, useOf } from '../model/usage';
import type { Node } from '../parser';
import type { Rule, RuleContext, Severity } from '../types';

/** `concurrent.futures` executors: `with` calls `shutdown(wait=True)`. */
const FUTURES_EXECUTORS = new Set([
  'concurrent.futures.ThreadPoolExecutor',
  'concurrent.futures.ProcessPoolExecutor',
  'concurrent.futures.thread.ThreadPoolExecutor',
  'concurrent.futures.process.ProcessPoolExecutor',
]);
/** `multiprocessing` pools: `with` calls `terminate()`. */
const MULTIPROCESSING_POOLS = new Set([
  'multiprocessing.Pool',
  'multiprocessing.pool.Pool',
  'multiprocessing.pool.ThreadPool',
  'multiprocessing.dummy.Pool',
]);

const FUTURES_KIND: ResourceKind = {
  noun: 'executor',
  release: 'shut down',
  releaseIt: 'shut it down',
  released: 'shut down',
  releaseMethods: new Set(['shutdown']),
  withReleases: true,
  // A Future and the iterator of `map` hold no reference to the executor.
  dataMethods: new Set(['submit', 'map']),
  isInlineConsumer: runInExecutor,
};

const POOL_KIND: ResourceKind = {
  noun: 'pool',
  release: 'close',
  releaseIt: 'close it',
  released: 'closed',
  releaseMethods: new Set(['close', 'terminate']),
  withReleases: true,
  dataMethods: new Set(['map', 'starmap', 'apply']),
  isInlineConsumer: runInExecutor,
};

/** `loop.run_in_executor(ThreadPoolExecutor(), fn)`: the executor is used for one call, never shut down. */
function runInExecutor(_model: SemanticModel, call: Node): boolean {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'run_in_executor';
}

/** Results handed back before the work is done: wrapping in `with` would make the function wait. */
const ASYNC_POOL_METHODS = new Set(['apply_async', 'map_async', 'starmap_async', 'imap', 'imap_unordered']);

/** Futures and lazy `map` iterators: wrapping in `with` makes the function wait for them at the end of the block. */
function abandonsWork(call: Node): boolean {
  const result = flowOf(call).use;
  return (
    result.kind === 'return' ||
    result.kind === 'yield' ||
    (result.kind === 'other' && result.node.type === 'expression_statement')
  );
}

/** `shutdown(wait=False)`, `cancel_futures=True`…: a release that a `with` would change. */
function nonDefaultRelease(call: Node): boolean {
  const args = call.childForFieldName('arguments')?.text.replace(/\s+/g, '') ?? '()';
  return args !== '()' && args !== '(wait=True)' && args !== '(True)';
}

/** Waits that give up after a while: `wait(fs, timeout=…)`, `as_completed(fs, 5)`, `f.result(timeout=…)`. */
const TIMED_WAITS = new Map([
  ['wait', 1],
  ['as_completed', 1],
  ['result', 0],
]);

/**
 * Whether the function waits for futures with a time limit (`wait(futures, timeout=seconds)`):
 * a `with` around the pool would wait for all the work at the end of its block, before the timed
 * wait, so the limit would no longer bound how long the function takes.
 */
function waitsWithTimeout(fn: Node): boolean {
  return fn.descendantsOfType('call').some((call) => {
    const callee = call?.childForFieldName('function');
    const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    const position = name === undefined ? undefined : TIMED_WAITS.get(name);
    if (!call || position === undefined) return false;
    return positionalArguments(call).length > position || !!keywordArgument(call, 'timeout');
  });
}

/**
 * A `concurrent.futures` executor's `with` waits for all submitted work at the end of the block:
 * refuse when the code relies on not waiting (futures discarded or returned, `shutdown(wait=False)`,
 * a wait with a timeout).
 */
function vetoFuturesNamed(_model: SemanticModel, named: NamedResource, region: Node[]): boolean {
  if (waitsWithTimeout(named.binding.scope.node)) return true;
  for (const node of region) {
    const use = useOf(node);
    if (use.kind !== 'method') continue;
    if (use.method === 'shutdown' && nonDefaultRelease(use.call)) return true;
    if ((use.method === 'submit' || use.method === 'map') && abandonsWork(use.call)) return true;
  }
  return false;
}

/** A multiprocessing pool's `with` terminates it: refuse when async results may still be pending. */
function vetoPoolNamed(_model: SemanticModel, _named: NamedResource, region: Node[]): boolean {
  return region.some((node) => {
    const use = useOf(node);
    return use.kind === 'method' && ASYNC_POOL_METHODS.has(use.method);
  });
}

function vetoInline(synchronousMap: boolean) {
  return (_model: SemanticModel, _creation: Creation, leak: Leak): boolean => {
    // Inline in `run_in_executor`: only when the work is awaited right there.
    if (leak.kind === 'consumed') return flowOf(leak.consumer).use.kind !== 'await';
    if (leak.kind === 'chained') {
      if (
        leak.method === 'map' ||
        (synchronousMap && (leak.method === 'starmap' || leak.method === 'apply'))
      ) {
        return !synchronousMap && abandonsWork(leak.chainCall);
      }
    }
    return true;
  };
}

const FUTURES_POLICY: FixPolicy = {
  manage: 'with',
  isAsync: false,
  redundant: new Set(['shutdown']),
  suggestedName: 'pool',
  vetoNamed: vetoFuturesNamed,
  vetoInline: vetoInline(false),
};
const POOL_POLICY: FixPolicy = {
  manage: 'with',
  isAsync: false,
  redundant: new Set(['terminate']),
  suggestedName: 'pool',
  vetoNamed: vetoPoolNamed,
  vetoInline: vetoInline(true),
};

/** `multiprocessing.get_context("spawn").Pool(...)`, or `ctx.Pool(...)` with `ctx` bound to one. */
function isContextPool(model: SemanticModel, call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'Pool') return false;
  const receiver = fn.childForFieldName('object');
  if (receiver?.type === 'call') return model.calleeName(receiver) === 'multiprocessing.get_context';
  if (receiver?.type !== 'identifier') return false;
  const binding = model.resolve(receiver);
  if (binding?.kind !== 'assignment') return false;
  return binding.sites.every((site) => {
    const value = model.assignedValue(site);
    return value?.type === 'call' && model.calleeName(value) === 'multiprocessing.get_context';
  });
}

function classify(ctx: RuleContext, call: Node): Factory | undefined {
  const qualified = ctx.model.calleeName(call);
  if (qualified && FUTURES_EXECUTORS.has(qualified))
    return { label: callLabel(call), kind: FUTURES_KIND, fix: FUTURES_POLICY };
  if ((qualified && MULTIPROCESSING_POOLS.has(qualified)) || (!qualified && isContextPool(ctx.model, call))) {
    return { label: callLabel(call), kind: POOL_KIND, fix: POOL_POLICY };
  }
  return undefined;
}

/**
 * How sure a leak is: a `multiprocessing` pool is documented not to be reliably cleaned up by the
 * garbage collector; a `concurrent.futures` executor's idle workers exit once it is collected.
 */
function judge(leak: Leak, factory: Factory): { severity: Severity; why: string } | undefined {
  if (leak.kind === 'attribute-not-released') return undefined;
  if (factory.kind === POOL_KIND)
    return {
      severity: 'warning',
      why: 'the garbage collector is not guaranteed to stop its worker processes',
    };
  return { severity: 'information', why: 'its idle workers stay until the executor is garbage-collected' };
}

const POOL_NAMES = ['ThreadPoolExecutor', 'ProcessPoolExecutor', 'Pool', 'ThreadPool'];

const spec: ResourceRuleSpec = {
  calleeNames: () => POOL_NAMES,
  classify,
  defaultSeverity: 'information',
  milderSeverity: 'hint',
  judge,
};

export const rule: Rule = {
  code: 'LEAK006',
  name: 'executor-not-shutdown',
  defaultSeverity: 'information',
  summary: 'A thread or process pool created inside a function is never shut down.',
  fixable: true,
  docs: {
    whatItDoes: `
      Finds \`concurrent.futures.ThreadPoolExecutor\`/\`ProcessPoolExecutor\`,
      \`multiprocessing.Pool\`, \`multiprocessing.pool.ThreadPool\` and
      \`multiprocessing.get_context(...).Pool\` created inside a function — or inline as an argument,
      as in \`loop.run_in_executor(ThreadPoolExecutor(), fn)\` — that are not used with \`with\`, not
      shut down (\`shutdown()\`, \`close()\` + \`join()\`, \`terminate()\`) in a \`finally\`, and not handed
      on (returned, stored on \`self\` or a global, passed to another call).

      Module-level singletons are fine, and so are pools owned by an object: a pool stored on
      \`self\` is reported only when the class has a teardown method (\`close\`, \`shutdown\`, \`stop\`,
      \`__exit__\`…) that never shuts it down. A pool shut down on the normal path but not in
      \`finally\` is reported at a lower severity.

      Severity says how sure the finding is: \`warning\` for a \`multiprocessing\` pool never closed
      (its documentation warns that the garbage collector is not guaranteed to stop its worker
      processes); \`information\` for a \`concurrent.futures\` executor never shut down (its idle
      workers stay until the executor is garbage-collected, which this module cannot tell) and for
      a pool on \`self\` that the class's teardown forgets (it lives as long as the object);
      \`hint\` for a pool shut down only when no exception occurs first, and in code that runs once
      (\`main()\`, \`if __name__ == "__main__":\`, command-line entry points, \`setup.py\`…), where
      nothing piles up.
    `,
    whyIsThisBad: `
      Each pool owns worker threads or processes, their queues and the results they hold. A pool
      created per call and never shut down keeps its workers until the interpreter exits or the
      garbage collector reaches it: a service that does this per request accumulates threads,
      processes and memory.

      **Fixes and their safety.** **Safe**: \`with\` when the function waits for its work anyway;
      where \`with\` would make it wait (futures handed back or dropped, \`shutdown(wait=False)\`,
      a wait with a timeout such as \`wait(futures, timeout=5)\`, async pool results),
      \`try\`/\`finally\` with \`pool.shutdown(wait=False)\` (a
      multiprocessing pool: \`pool.close()\`), which lets the submitted work finish without waiting
      for it — an executor passed inline to \`run_in_executor\` is named first; an executor made
      and dropped in one statement gets \`.shutdown()\` there. **Unsafe**: the shutdown added to a
      teardown method that forgets it (it waits for pending work there).
    `,
    example: `
      from concurrent.futures import ThreadPoolExecutor

      def fetch_all(urls):
          pool = ThreadPoolExecutor(max_workers=8)
          return list(pool.map(fetch, urls))
    `,
    useInstead: `
      from concurrent.futures import ThreadPoolExecutor

      def fetch_all(urls):
          with ThreadPoolExecutor(max_workers=8) as pool:
              return list(pool.map(fetch, urls))
    `,
    references: [
      'https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.shutdown',
      'https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.Pool',
    ],
  },
  // The rule follows the calls `callsNamed` finds (and the helpers returning what they create).
  mayFire: (text) => mayCallAny(text, POOL_NAMES),
  check(ctx) {
    checkResources(ctx, spec);
  },
};
