/** Compiles where a rule's value comes from: from, const, var, ref, first, parts (or the cursor itself). */
import { internString } from '../hl7v2/text.js';
import { compileReadPath } from './conditions.js';
import type { CompileEnv, Scope } from './compile-env.js';
import { copyJson, readAbsolute, readCursor, readRelative, type Json } from './runtime.js';
import { firstValue, manyRule, noValue, nonEmpty, oneRule, pushing, type One, type Rule } from './rule.js';
import type { NodeDef } from './schema.js';
import { at, type Loc } from './yaml-source.js';

/** Compiles a nested rule (injected, so that rules can nest without an import cycle). */
export type CompileRule = (def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope) => Rule;

function compileFrom(text: string, loc: Loc, env: CompileEnv, scope: Scope): One {
  const input = env.shared.input;
  if (input !== undefined) return input.read(text, loc, env) ?? noValue;
  const p = compileReadPath(text, loc, env, scope);
  if (p === undefined) return noValue;
  return p.kind === 'absolute' ? (cur, run) => readAbsolute(p, cur, run) : (cur) => readRelative(p, cur);
}

function compileConst(value: Json): One {
  if (nonEmpty(value) === undefined) return noValue; // an empty constant never reaches the output
  return typeof value === 'object' ? () => copyJson(value) : () => value;
}

/** The first option that gives a value. */
function compileFirst(options: readonly Rule[]): Rule {
  const ones = options.map((o) => o.one);
  if (ones.every((o): o is One => o !== undefined)) {
    return oneRule((cur, run) => {
      for (let i = 0; i < ones.length; i++) {
        const v = (ones[i] as One)(cur, run);
        if (v !== undefined) return v;
      }
      return undefined;
    });
  }
  const evals = options.map(pushing);
  return manyRule((cur, run, out) => {
    for (const option of evals) {
      const before = out.length;
      option(cur, run, out);
      if (out.length > before) return;
    }
  });
}

/** A list of texts, one per part ('' for an optional part that found nothing); nothing when a required part found nothing. */
function compileParts(parts: readonly { readonly value: One; readonly optional: boolean }[]): One {
  const n = parts.length;
  return (cur, run) => {
    const values = new Array<string>(n); // its exact size (push would keep room for 16 more)
    for (let i = 0; i < n; i++) {
      const part = parts[i] as (typeof parts)[number];
      const v = part.value(cur, run);
      if (v === undefined || typeof v === 'object') {
        if (!part.optional) return undefined;
        values[i] = '';
      } else values[i] = typeof v === 'string' ? v : String(v);
    }
    return values;
  };
}

export function compileSource(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope, compile: CompileRule): Rule {
  if (def.from !== undefined) return oneRule(compileFrom(def.from, at(loc, 'from'), env, scope));
  if (def.const !== undefined) return oneRule(compileConst(def.const as Json));
  if (def.var !== undefined) {
    const name = internString(def.var); // looked up in the vars' maps by identity
    env.noteVar(name, at(loc, 'var'));
    return oneRule((cur) => nonEmpty(cur.vars.get(name)));
  }
  if (def.ref !== undefined) {
    const name = internString(def.ref);
    env.noteRef(name, at(loc, 'ref'));
    return oneRule((_cur, run) => {
      const target = run.refs.get(name);
      return target === undefined ? undefined : { reference: target };
    });
  }
  if (def.first !== undefined) return compileFirst(def.first.map((d, i) => compile(d, at(loc, 'first', i), env, scope)));
  if (def.parts !== undefined) {
    const parts = def.parts.map((d, i) => ({ value: firstValue(compile(d, at(loc, 'parts', i), env, scope)), optional: d.optional === true }));
    return oneRule(compileParts(parts));
  }
  return oneRule(env.shared.input?.here ?? readCursor);
}
