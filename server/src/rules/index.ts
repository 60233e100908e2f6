// The registry: adding a rule is adding its file and one line here.
import type { Rule } from '../types';
import { rule as leak001 } from './leak001-unbounded-cache';
import { rule as leak002 } from './leak002-global-accumulation';
import { rule as leak003 } from './leak003-circular-reference';
import { rule as leak004 } from './leak004-unclosed-connection';
import { rule as leak005 } from './leak005-listener-not-removed';
import { rule as leak006 } from './leak006-executor-not-shutdown';
import { rule as leak007 } from './leak007-dangling-task';
import { rule as leak008 } from './leak008-unclosed-file';

export const RULES: readonly Rule[] = [
  leak001,
  leak002,
  leak003,
  leak004,
  leak005,
  leak006,
  leak007,
  leak008,
];

export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}
