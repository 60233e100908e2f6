// The registry: adding a rule is adding its file and one line here.
import type { Rule } from '../types';

export const RULES: readonly Rule[] = [];

export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}
