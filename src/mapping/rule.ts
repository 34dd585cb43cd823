/**
 * The two forms of a compiled rule. Most rules give at most one value (`from`, `const`, a template …):
 * they compile to a function that returns it, so that no list is made per rule. Rules that can give
 * several (`each`, a `split`, a `first` over such rules) push onto a list instead.
 */
import type { Cursor, Json, Run } from './runtime.js';

/** A rule that gives at most one value: the value (never empty), or undefined. */
export type One = (cur: Cursor, run: Run) => Json | undefined;

/** A rule that can give several values: pushes them (never empty ones) onto `out`. */
export type Eval = (cur: Cursor, run: Run, out: Json[]) => void;

export type Rule = { readonly one: One; readonly many?: undefined } | { readonly many: Eval; readonly one?: undefined };

export const noValue: One = () => undefined;

export function oneRule(one: One): Rule {
  return { one };
}

export function manyRule(many: Eval): Rule {
  return { many };
}

/** The rule as one that pushes its values onto a list. */
export function pushing(rule: Rule): Eval {
  if (rule.many !== undefined) return rule.many;
  const one = rule.one;
  return (cur, run, out) => {
    const v = one(cur, run);
    if (v !== undefined) out.push(v);
  };
}

/** The first value the rule gives. */
export function firstValue(rule: Rule): One {
  if (rule.one !== undefined) return rule.one;
  const many = rule.many;
  return (cur, run) => {
    const out: Json[] = [];
    many(cur, run, out);
    return out[0];
  };
}

/** The value unless it is empty (`''` or blank text, `[]`, `{}`, undefined, null): empty values never reach the output. */
export function nonEmpty(v: Json | undefined | null): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return isBlankText(v) ? undefined : v;
  if (Array.isArray(v)) return v.length > 0 ? v : undefined;
  if (typeof v === 'object') {
    for (const _ in v) return v;
    return undefined;
  }
  return v;
}

/** Whether a text is empty or only white space (most texts start with a visible character: no copy made). */
export function isBlankText(v: string): boolean {
  const first = v.charCodeAt(0);
  if (first > 32 && first < 127) return false;
  return v.trim() === '';
}
