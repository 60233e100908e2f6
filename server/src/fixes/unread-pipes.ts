// A `subprocess.Popen(..., stdout=PIPE)` started and left running, of which the code only keeps
// the pid (or polls, signals it): nothing ever reads the pipe, so the child blocks once the pipe
// is full, and the parent holds the pipe ends until the `Popen` object is collected. The fix
// sends those streams to `subprocess.DEVNULL`: no pipe is made, the child is not meant to be
// waited for here, and the finding's cause goes with the pipes. Unsafe: output that a later
// reader elsewhere might have wanted is discarded.
import type { Creation, Leak } from '../model/lifecycle';
import type { SemanticModel } from '../model/semantic';
import type { SourceFile } from '../model/source';
import { keywordArgument, useOf } from '../model/usage';
import type { Fix, TextEdit } from '../types';
import { replaceRange } from './edits';
import { ensureMemberImport } from './imports';

/** What the code may do with a process whose pipes it never reads. */
const PIPELESS_USES = new Set(['pid', 'returncode', 'args', 'poll', 'send_signal', 'terminate', 'kill']);
const STREAMS = ['stdin', 'stdout', 'stderr'];
const PIPE = 'subprocess.PIPE';

export function unreadPipesFix(
  file: SourceFile,
  model: SemanticModel,
  creation: Creation,
  leak: Leak,
): Fix | undefined {
  if (leak.kind !== 'never-released' && leak.kind !== 'discarded') return undefined;
  if (leak.kind === 'never-released') {
    if (leak.named.aliased) return undefined;
    for (const ref of leak.named.refs) {
      const use = useOf(ref.node);
      const used = use.kind === 'attribute' ? use.attribute : use.kind === 'method' ? use.method : undefined;
      if (!used || !PIPELESS_USES.has(used)) return undefined;
    }
  }
  const edits: TextEdit[] = [];
  // `PIPE` imported by name: `DEVNULL` too, its import added once for all the streams.
  let devnull: string | undefined;
  for (const stream of STREAMS) {
    const value = keywordArgument(creation.call, stream);
    if (!value || model.qualifiedName(value) !== PIPE) continue;
    if (value.type === 'attribute') {
      const module = value.childForFieldName('object')?.text;
      edits.push(replaceRange(file, value.startIndex, value.endIndex, `${module}.DEVNULL`));
      continue;
    }
    if (!devnull) {
      const imported = ensureMemberImport(file, model, 'subprocess', 'DEVNULL', creation.call.startIndex);
      edits.push(...imported.edits);
      devnull = imported.name;
    }
    edits.push(replaceRange(file, value.startIndex, value.endIndex, devnull));
  }
  if (edits.length === 0) return undefined;
  return {
    title: 'Send the streams nobody reads to `subprocess.DEVNULL` instead of a pipe',
    edits,
    applicability: 'unsafe',
  };
}
