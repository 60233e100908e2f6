// Per-file answers that several rules ask for (candidate lists, container analyses): computed the
// first time one rule asks, then shared. Keyed by the model, so they go when the analysis ends.
import type { SemanticModel } from './semantic';

/** `compute`, remembered per semantic model. */
export function perModel<T>(compute: (model: SemanticModel) => T): (model: SemanticModel) => T {
  const answers = new WeakMap<SemanticModel, T>();
  return (model) => {
    if (answers.has(model)) return answers.get(model) as T;
    const answer = compute(model);
    answers.set(model, answer);
    return answer;
  };
}
