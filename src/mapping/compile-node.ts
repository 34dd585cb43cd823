/**
 * Compiles value rules (from, const, var, ref, first, parts, each, when, template, resource, fields,
 * transform) into closures, once, when the mapping files load. See mappings/README.md.
 *
 * A rule is its value (a source or a shape) with optional wrappers: `with` (vars), `transform`, `when`
 * and, outermost, `each`. Each wrapper is composed once here, specialised to the form of what it wraps
 * (one value or many, see rule.ts), so that a rule costs a few direct calls and no lists at run time.
 */
import { compileCondition, compileReadPath, type Condition } from './conditions.js';
import type { CompileEnv, Scope } from './compile-env.js';
import { compileShape } from './compile-shape.js';
import { compileSource } from './compile-source.js';
import { parseMappingPath, PATH_HELP } from './paths.js';
import { manyRule, nonEmpty, oneRule, pushing, type Eval, type One, type Rule } from './rule.js';
import { describe, eachRepetition, eachSubcomponent, focusAbsolute, focusRelative, rootCursor, type Cursor, type Json, type Run, type Vars } from './runtime.js';
import type { NodeDef } from './schema.js';
import { compileTransform, type OneValueFn, type Transform } from './transforms.js';
import { at, ruleAt, where, type Loc } from './yaml-source.js';

type Iterate = (cur: Cursor, run: Run) => readonly Cursor[];

/** `each:` — the cursors the rest of the rule runs at, and the scope inside the loop. */
function compileLoop(text: string, loc: Loc, env: CompileEnv, scope: Scope): { iterate: Iterate; scope: Scope } | undefined {
  const input = env.shared.input;
  if (input !== undefined) {
    const iterate = input.loop(text, loc, env);
    return iterate === undefined ? undefined : { iterate, scope: 'field' };
  }
  const p = parseMappingPath(text, true);
  if (typeof p === 'string') {
    env.problems.add(where(loc), p, `${PATH_HELP}; each also takes a segment name such as NK1`);
    return undefined;
  }
  if (p.kind === 'segment') {
    env.reads.touch(p.segment);
    const name = p.segment;
    return { iterate: (cur, run) => run.segmentsInScope(name).map((s) => rootCursor(s, cur.vars)), scope: 'segment' };
  }
  if (p.kind === 'absolute') {
    if (p.repetition !== undefined || p.component !== undefined) {
      env.problems.add(where(loc), `each ${p.text} loops over one repetition or component`, `loop over the field (each: ${p.segment}-${p.field}) and read .n inside`);
    }
    env.reads.field(p.segment, p.field);
    return { iterate: (cur, run) => eachRepetition(p, cur, run), scope: 'field' };
  }
  if (scope === 'segment') {
    env.problems.add(where(loc), `relative path ${p.text} used where no field is selected`, 'loop over a field first, e.g. each: PID-3');
    return undefined;
  }
  return { iterate: (cur) => eachSubcomponent(p, cur), scope };
}

/** A template, resource or fields rule, at the place `from` points to when it has one. */
function compileShaped(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope): One {
  let shapeScope = scope;
  let focus: ((cur: Cursor, run: Run) => Cursor | undefined) | undefined;
  if (def.from !== undefined && env.shared.input !== undefined) {
    focus = env.shared.input.focus(def.from, at(loc, 'from'), env);
    shapeScope = 'field';
  } else if (def.from !== undefined) {
    const p = compileReadPath(def.from, at(loc, 'from'), env, scope);
    if (p !== undefined) {
      focus = p.kind === 'absolute' ? (cur, run) => focusAbsolute(p, cur, run) : (cur) => focusRelative(p, cur);
      shapeScope = 'field';
    }
  }
  const shape = compileShape(def, loc, env, shapeScope, compileRule) as One;
  if (focus === undefined) return shape;
  const focusOn = focus;
  return (cur, run) => {
    const c = focusOn(cur, run);
    return c === undefined ? undefined : shape(c, run);
  };
}

/** `with:` — the rule sees these vars on top of the ones it already sees. */
function withVars(rule: Rule, extra: ReadonlyMap<string, string>): Rule {
  // vars never change once made: the scope made for the last outer vars serves again (most often the message's)
  let outer: Vars | undefined;
  let inner: Vars | undefined;
  const scoped = (cur: Cursor): Cursor => {
    if (cur.vars !== outer || inner === undefined) {
      outer = cur.vars;
      inner = outer.with(extra);
    }
    return cur.withVars(inner);
  };
  if (rule.one !== undefined) {
    const value = rule.one;
    return oneRule((cur, run) => value(scoped(cur), run));
  }
  const values = rule.many;
  return manyRule((cur, run, out) => values(scoped(cur), run, out));
}

/**
 * How a value is named in warnings: the message place it was read from (or the var), then the rule and
 * its file:line — `PID-7 (Patient.birthDate at mappings/hl7v2/segments/PID.yaml:31:9)`. Made once per rule
 * at compile time; called only when there is something to warn about.
 */
function labelFor(def: NodeDef, loc: Loc): (cur: Cursor) => string {
  const rule = ` (${ruleAt(loc)})`;
  if (def.from !== undefined) {
    const text = def.from;
    return text.startsWith('.') ? (cur) => `${describe(cur)}${text}${rule}` : (cur) => `${cur.describePath(text)}${rule}`;
  }
  if (def.var !== undefined) {
    const text = `var ${def.var}${rule}`;
    return () => text;
  }
  return (cur) => `${describe(cur)}${rule}`;
}

/** Several one-value transforms as one, applied in order. */
function inOrder(fns: readonly OneValueFn[]): OneValueFn {
  if (fns.length === 1) return fns[0] as OneValueFn;
  return (v, cur, run, label) => {
    let value = v;
    for (let i = 0; i < fns.length; i++) value = (fns[i] as OneValueFn)(value, cur, run, label);
    return value;
  };
}

/** `transform:` — one transform or a list, applied in order to the values the rule found. */
function transformed(rule: Rule, def: NodeDef, loc: Loc, env: CompileEnv): Rule {
  const list = Array.isArray(def.transform) ? def.transform : [def.transform];
  const transforms: Transform[] = [];
  let fillsEmpty = false;
  list.forEach((t, i) => {
    const tloc = Array.isArray(def.transform) ? at(loc, 'transform', i) : at(loc, 'transform');
    const r = compileTransform(t, { conceptMaps: env.shared.conceptMaps });
    if (r.ok) {
      transforms.push(r.transform);
      fillsEmpty ||= r.fillsEmpty;
    } else env.problems.add(where(tloc, r.path, r.path.length === 1), r.error, r.fix);
  });
  const label = labelFor(def, loc);
  const ones = transforms.map((t) => t.one);
  if (rule.one !== undefined && transforms.length > 0 && ones.every((f): f is OneValueFn => f !== undefined)) {
    const value = rule.one;
    const transform = inOrder(ones);
    return oneRule((cur, run) => {
      const v = value(cur, run);
      if (v === undefined && !fillsEmpty) return undefined; // nothing found, and no transform makes something of nothing
      return nonEmpty(transform(v, cur, run, label));
    });
  }
  const valuesOf = pushing(rule);
  const fns = transforms.map((t) => t.many);
  return manyRule((cur, run, out) => {
    let values: Json[] = [];
    valuesOf(cur, run, values);
    if (values.length === 0 && !fillsEmpty) return;
    for (const fn of fns) values = fn(values, cur, run, label);
    for (const v of values) {
      const kept = nonEmpty(v);
      if (kept !== undefined) out.push(kept);
    }
  });
}

/** `when:` — the rule gives nothing where the condition does not hold. */
function guarded(rule: Rule, when: Condition): Rule {
  if (rule.one !== undefined) {
    const value = rule.one;
    return oneRule((cur, run) => (when(cur, run) ? value(cur, run) : undefined));
  }
  const values = rule.many;
  return manyRule((cur, run, out) => {
    if (when(cur, run)) values(cur, run, out);
  });
}

/** `each:` — the rule once per cursor of the loop, every value kept. */
function looped(rule: Rule, iterate: Iterate): Eval {
  if (rule.one !== undefined) {
    const value = rule.one;
    return (cur, run, out) => {
      for (const c of iterate(cur, run)) {
        const v = value(c, run);
        if (v !== undefined) out.push(v);
      }
    };
  }
  const values = rule.many;
  return (cur, run, out) => {
    for (const c of iterate(cur, run)) values(c, run, out);
  };
}

/** Compile one rule. */
export function compileRule(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope): Rule {
  const loop = def.each !== undefined ? compileLoop(def.each, at(loc, 'each'), env, scope) : undefined;
  const inner: Scope = loop?.scope ?? scope;
  const when = def.when !== undefined ? compileCondition(def.when, at(loc, 'when'), env, inner) : undefined;

  const hasShape = def.template !== undefined || def.resource !== undefined || def.fields !== undefined;
  let rule = hasShape ? oneRule(compileShaped(def, loc, env, inner)) : compileSource(def, loc, env, inner, compileRule);
  if (def.with !== undefined) rule = withVars(rule, new Map(Object.entries(def.with)));
  if (def.transform !== undefined) rule = transformed(rule, def, loc, env);
  if (when !== undefined) rule = guarded(rule, when);
  return loop === undefined ? rule : manyRule(looped(rule, loop.iterate));
}
