/**
 * The filler of one `fields:` object, generated as JavaScript when the mapping files load (an internal
 * compiler step: the mapping files hold no code). What it does is exactly fillFields (compile-shape.ts),
 * unrolled: one call site per field, so that each sees one rule and the JIT can inline it, and one
 * property store per field with the key written in, so that the objects of one template share shapes
 * instead of going through a store shared by every field of every template.
 */
import type { Json } from './runtime.js';

/** One field as fillFields runs it: a rule giving one value, or a filler that sets the field itself. */
export interface FillStep {
  readonly key: string;
  readonly one: ((...args: never[]) => Json | undefined) | undefined;
  readonly fill: ((...args: never[]) => number) | undefined;
  readonly required: boolean;
}

let made = 0;

/**
 * Source of the filler for `steps`; the rules are its parameters s0, s1 … (FOUND = 1, NONE = 0, MISSING = -1,
 * as in compile-shape.ts).
 */
function fillerSource(steps: readonly FillStep[]): string {
  const lines: string[] = [`// junction fields filler ${++made}`, 'return function fill(cur, run, into) {', '  let found = 0;'];
  steps.forEach((step, i) => {
    const key = JSON.stringify(step.key);
    if (step.one !== undefined) {
      lines.push(`  const v${i} = s${i}(cur, run);`);
      lines.push(`  if (v${i} !== undefined) { into[${key}] = v${i}; found = 1; }${step.required ? ' else return -1;' : ''}`);
    } else {
      lines.push(`  const r${i} = s${i}(cur, run, into);`);
      lines.push(`  if (r${i} === -1) return -1;`);
      lines.push(`  if (r${i} === 1) found = 1;`);
    }
  });
  lines.push('  return found;', '};');
  return lines.join('\n');
}

/** The generated filler for `steps`: (cur, run, into) → FOUND | NONE | MISSING, as fillFields(steps, …). */
export function generateFiller<F>(steps: readonly FillStep[]): F {
  const params = steps.map((_, i) => `s${i}`);
  const args = steps.map((s) => s.one ?? s.fill);
  // built from the mapping set's own field names (as JSON string literals), never from message content
  const factory = new Function(...params, fillerSource(steps)) as (...rules: unknown[]) => F;
  return factory(...args);
}
