/** Compiles the rules that build objects: `fields:`, `template:` (an element) and `resource:` (a reference). */
import type { CompileEnv, CompiledTemplate, Scope } from './compile-env.js';
import { generateFiller } from './compile-fill.js';
import type { CompileRule } from './compile-source.js';
import { describe, isFhirId, type Cursor, type Json, type JsonObject, type Run } from './runtime.js';
import { noValue, pushing, type Eval, type One, type Rule } from './rule.js';
import type { FieldDef, NodeDef } from './schema.js';
import { at, ruleAt, where, type Loc } from './yaml-source.js';

/**
 * Fills an object from `fields:`. Returns FOUND when it set at least one field, NONE when it found nothing,
 * MISSING when a `required: true` field found nothing (the object must then be left out).
 */
export type ObjectBuilder = (cur: Cursor, run: Run, into: JsonObject) => FillResult;
export const FOUND = 1;
export const NONE = 0;
export const MISSING = -1;
export type FillResult = typeof FOUND | typeof NONE | typeof MISSING;

/** Sets one field of an object (or not, when its rules find nothing). */
type FieldFiller = ObjectBuilder;

/** A field written as one rule that can give several values: its first value. */
function firstOfMany(key: string, values: Eval, required: boolean): FieldFiller {
  const ifNone = required ? MISSING : NONE;
  return (cur, run, into) => {
    const found: Json[] = [];
    values(cur, run, found);
    const v = found[0];
    if (v === undefined) return ifNone;
    into[key] = v;
    return FOUND;
  };
}

/** A field written as a list of rules: every value of every rule, in order. */
function listField(key: string, rules: readonly Rule[], required: boolean): FieldFiller {
  const ifNone = required ? MISSING : NONE;
  const ones = rules.map((r) => r.one);
  if (ones.every((o): o is One => o !== undefined)) {
    // rules that give one value each (the usual case): call them directly, make the list only for a value
    // (a list made by push keeps room for 16 more: one or two values, the usual number, get a list of their size)
    return (cur, run, into) => {
      let first: Json | undefined;
      let values: Json[] | undefined;
      for (let i = 0; i < ones.length; i++) {
        const v = (ones[i] as One)(cur, run);
        if (v === undefined) continue;
        if (first === undefined) first = v;
        else if (values === undefined) values = [first, v];
        else values.push(v);
      }
      if (first === undefined) return ifNone;
      into[key] = values ?? [first];
      return FOUND;
    };
  }
  const evals = rules.map(pushing);
  return (cur, run, into) => {
    const values: Json[] = [];
    for (let i = 0; i < evals.length; i++) (evals[i] as (typeof evals)[number])(cur, run, values);
    if (values.length === 0) return ifNone;
    into[key] = values;
    return FOUND;
  };
}

/** One field of a `fields:` object: a rule giving one value is called directly (most fields), any other through its filler. */
interface FieldStep {
  readonly key: string;
  readonly one: One | undefined;
  readonly fill: FieldFiller | undefined;
  readonly required: boolean;
}

function fieldStep(key: string, rule: Rule, required: boolean): FieldStep {
  if (rule.one !== undefined) return { key, one: rule.one, fill: undefined, required };
  return { key, one: undefined, fill: firstOfMany(key, rule.many, required), required };
}

/**
 * The builder of one `fields:` object: sets each field its rules find a value for, in order. Generated
 * per object (compile-fill.ts) so that each field's rule is called from its own place; --explain has its own.
 */
export function compileFields(fields: Record<string, FieldDef>, loc: Loc, env: CompileEnv, scope: Scope, compile: CompileRule): ObjectBuilder {
  if (env.shared.explain !== undefined) {
    // --explain only: the explaining builder of the whole object
    return env.shared.explain.fields(fields, loc, env, scope, compile) as ObjectBuilder;
  }
  const steps: FieldStep[] = Object.entries(fields).map(([key, def]) => {
    if (Array.isArray(def)) {
      const rules = def.map((d, i) => compile(d, at(loc, key, i), env, scope));
      const required = def.some((d) => d.required === true);
      return { key, one: undefined, fill: listField(key, rules, required), required };
    }
    return fieldStep(key, compile(def, at(loc, key), env, scope), def.required === true);
  });
  return generateFiller<ObjectBuilder>(steps);
}

export function useTemplate(name: string, loc: Loc, env: CompileEnv, resource: boolean): CompiledTemplate | undefined {
  const source = env.shared.templates.get(name);
  if (source === undefined) {
    const known = [...env.shared.templates.values()]
      .filter((t) => (t.def.resourceType !== undefined) === resource)
      .map((t) => t.name)
      .sort();
    env.problems.add(where(loc), `there is no template ${JSON.stringify(name)}`, `use one of: ${known.join(', ')}`);
    return undefined;
  }
  const isResource = source.def.resourceType !== undefined;
  if (isResource !== resource) {
    env.problems.add(
      where(loc),
      resource ? `template ${name} is not a resource template (it has no resourceType)` : `template ${name} makes a ${source.def.resourceType} resource`,
      resource ? `use template: ${name} to build an element, or give ${name} a resourceType and id` : `use resource: ${name} to make it and reference it`,
    );
    return undefined;
  }
  const tpl = env.shared.compileTemplate(source, env);
  if (tpl !== undefined) env.reads.addAll(tpl.reads);
  return tpl;
}

/** Makes the resource (once per message) and gives a reference to it. */
function compileResource(name: string, loc: Loc, env: CompileEnv): One {
  const tpl = useTemplate(name, loc, env, true);
  if (tpl === undefined || tpl.id === undefined) return noValue;
  const idOf = tpl.id;
  const build = tpl.build;
  const type = tpl.resourceType as string;
  const rule = `${ruleAt({ file: loc.file, path: loc.path.slice(0, -1) })}, template ${name} at ${tpl.where}`; // loc is the rule's resource: key
  return (cur, run) => {
    const id = idOf(cur, run);
    if (id === undefined) {
      run.warn(`${describe(cur)}: no ${type} made: template ${name} found no identifier for its id (${rule})`);
      return undefined;
    }
    if (!isFhirId(id)) {
      run.warn(`${describe(cur)}: no ${type} made: template ${name} made an id that is not a valid FHIR id; use transform: hash-id (${rule})`);
      return undefined;
    }
    const key = `${type}/${id}`;
    if (!run.mainKeys.has(key) && !run.secondary.has(key)) {
      const body = build(cur, run, id);
      if (body === undefined) return undefined;
      run.secondary.set(key, body);
    }
    return { reference: key };
  };
}

/** A rule with template, resource or fields; undefined for other rules. */
export function compileShape(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope, compile: CompileRule): One | undefined {
  if (def.template !== undefined) {
    const tpl = useTemplate(def.template, at(loc, 'template'), env, false);
    if (tpl === undefined) return noValue;
    // an element template gives an object only when it set a field (never an empty one): no check needed
    return tpl.build;
  }
  if (def.resource !== undefined) return compileResource(def.resource, at(loc, 'resource'), env);
  if (def.fields !== undefined) {
    const fill = compileFields(def.fields, at(loc, 'fields'), env, scope, compile);
    return (cur, run) => {
      const obj: JsonObject = {};
      return fill(cur, run, obj) === FOUND ? obj : undefined;
    };
  }
  return undefined;
}
