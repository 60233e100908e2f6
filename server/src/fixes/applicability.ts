// Which of a finding's fixes to apply without asking, and how an unsafe fix is labelled. One place,
// so the lightbulb, Fix All, source.fixAll.leakLens and `leak-lens scan --fix` agree.
import type { Applicability, Fix } from '../types';

export const UNSAFE_LABEL = '(unsafe)';

/** The title a fix is shown with: an unsafe fix says so, as Ruff's `--unsafe-fixes` hints do. */
export function labelledTitle(title: string, applicability: Applicability): string {
  if (applicability !== 'unsafe' || title.endsWith(UNSAFE_LABEL)) return title;
  return `${title} ${UNSAFE_LABEL}`;
}

export function withLabel(fix: Fix): Fix {
  const title = labelledTitle(fix.title, fix.applicability);
  return title === fix.title ? fix : { ...fix, title };
}

/**
 * The fix to apply automatically: the preferred safe one, else the first safe one; with
 * `unsafe`, else the preferred one, else the first. Undefined when none may be applied.
 */
export function fixToApply(fixes: readonly Fix[], unsafe = false): Fix | undefined {
  const usable = fixes.filter((f) => f.edits.length > 0);
  const safe = usable.filter((f) => f.applicability === 'safe');
  const pick = (list: Fix[]) => list.find((f) => f.isPreferred) ?? list[0];
  return pick(safe) ?? (unsafe ? pick(usable) : undefined);
}
