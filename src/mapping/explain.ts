/**
 * `junction map --explain`: which mapping file:line, template and rule made each element of the output,
 * and from which place in the message. Only a mapping set loaded with `{ explain: true }` records this:
 * its `fields:` objects compile to the explaining builder below instead of the fast one (the one hook,
 * in compileFields), so the engine's own mapping sets carry no cost at all.
 *
 * What is recorded: for every field an object gets, the rule that set it (per element for a field
 * written as a list of rules), and the cursor it ran at; for every object or list value, the same.
 * Elements the engine itself writes (Bundle envelope, fullUrl, request, resourceType) say so.
 */
import type { CompileEnv, ExplainHook, Scope } from './compile-env.js';
import { FOUND, MISSING, NONE, type FillResult } from './compile-shape.js';
import { firstValue, pushing, type Rule } from './rule.js';
import { describe, type Cursor, type Json, type JsonObject, type Run } from './runtime.js';
import type { FieldDef, NodeDef } from './schema.js';
import { at, ruleName, where, type Loc } from './yaml-source.js';

/** Where an output element came from. */
export interface Provenance {
  /** mapping file:line:column of the rule */
  readonly where: string;
  /** template and field, e.g. `XPN.family`, `Encounter.period.start`, `ADT_A01 resources[0]` */
  readonly rule: string;
  /** the message place read, e.g. `PID-5.1`, `var odsCode`, `const` */
  readonly input: string;
}

export interface ExplainedElement extends Partial<Provenance> {
  /** JSON path in the bundle, e.g. `entry[0].resource.name[0].family` */
  readonly path: string;
  readonly value: string | number | boolean;
}

/** What a rule reads, as written (`PID-5.1`, `.1` made absolute at the cursor, `var odsCode` …). */
function inputOf(def: NodeDef, cur: Cursor): string {
  // HL7 v2 cursors say `PID-3[2]`; cursors over other inputs (json-input.ts) carry their own place and record
  const other = cur as Cursor & { readonly place?: unknown; readonly origin?: unknown };
  const json = typeof other.place === 'string' && typeof other.origin === 'string';
  const here = json ? (other.place as string) : describe(cur);
  const path = (text: string): string => (text.startsWith('.') ? `${here}${text}` : json ? `${other.origin as string} ${text}` : text);
  let what: string;
  if (def.from !== undefined) what = path(def.from);
  else if (def.var !== undefined) what = `var ${def.var}`;
  else if (def.ref !== undefined) what = `ref ${def.ref}`;
  else if (def.const !== undefined) what = 'const';
  else if (def.first !== undefined) what = `first of ${def.first.map((d) => inputOf(d, cur)).join(', ')}`;
  else if (def.parts !== undefined) what = def.parts.map((d) => inputOf(d, cur)).join(' + ');
  else what = here;
  if (def.each === undefined) return what;
  return what === here ? `each ${path(def.each)}` : `each ${path(def.each)}: ${what}`;
}

function isContainer(v: Json): v is JsonObject | Json[] {
  return typeof v === 'object' && v !== null;
}

export class Explainer implements ExplainHook {
  /** object → field → the rule that set it */
  private readonly fieldRules = new WeakMap<object, Map<string, Provenance>>();
  /** list → per element, the rule that gave it (fields written as a list of rules) */
  private readonly elementRules = new WeakMap<object, Provenance[]>();
  /** object or list value → the rule that gave it (kept when an `into` entry moves it to another resource) */
  private readonly valueRules = new WeakMap<object, Provenance>();
  /** object → the template (or inline fields) that filled it */
  private readonly filledBy = new WeakMap<object, { readonly template: string; readonly where: string; readonly id?: string }>();

  private note(into: JsonObject, key: string, prov: Provenance, value: Json): void {
    let fields = this.fieldRules.get(into);
    if (fields === undefined) this.fieldRules.set(into, (fields = new Map()));
    fields.set(key, prov);
    if (isContainer(value) && !this.valueRules.has(value)) this.valueRules.set(value, prov);
  }

  /** The explaining builder of a `fields:` object: the same values as compileFields, with their provenance noted. */
  fields(fields: Record<string, FieldDef>, loc: Loc, env: CompileEnv, scope: Scope, compile: (def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope) => Rule) {
    const steps = Object.entries(fields).map(([key, def]) => {
      const defs = Array.isArray(def) ? def : [def];
      const locs = Array.isArray(def) ? def.map((_, i) => at(loc, key, i)) : [at(loc, key)];
      const rules = defs.map((d, i) => compile(d, locs[i] as Loc, env, scope));
      return {
        key,
        list: Array.isArray(def),
        required: defs.some((d) => d.required === true),
        parts: rules.map((rule, i) => ({
          values: pushing(rule),
          def: defs[i] as NodeDef,
          where: where(locs[i] as Loc),
          rule: ruleName(locs[i] as Loc),
          input: this.inputFinder(defs[i] as NodeDef, locs[i] as Loc, env, scope, compile),
        })),
      };
    });
    const owner = loc.path[0] === 'templates' && typeof loc.path[1] === 'string' && loc.path.length === 3 ? loc.path[1] : undefined;
    const template = owner === undefined ? undefined : { template: owner, where: where({ file: loc.file, path: ['templates', owner] }), id: where({ file: loc.file, path: ['templates', owner, 'id'] }) };
    return (cur: Cursor, run: Run, into: JsonObject): FillResult => {
      if (template !== undefined && !this.filledBy.has(into)) this.filledBy.set(into, template);
      let found: FillResult = NONE;
      for (const step of steps) {
        const values: Json[] = [];
        const provs: Provenance[] = [];
        for (const part of step.parts) {
          const before = values.length;
          part.values(cur, run, values);
          if (values.length === before) continue;
          const prov = { where: part.where, rule: part.rule, input: part.input(cur, run) };
          for (let i = before; i < values.length; i++) {
            provs.push(prov);
            const v = values[i] as Json;
            if (isContainer(v) && !this.valueRules.has(v)) this.valueRules.set(v, prov);
          }
          if (!step.list && values.length > 0) break;
        }
        if (values.length === 0) {
          if (step.required) return MISSING;
          continue;
        }
        const value = step.list ? values : (values[0] as Json);
        into[step.key] = value;
        this.note(into, step.key, provs[0] as Provenance, value);
        if (step.list) this.elementRules.set(values, provs);
        found = FOUND;
      }
      return found;
    };
  }

  /**
   * What a rule read, as a function of where it ran. For a `first:` rule (no loop), the option that gave
   * the value: each option is compiled once more and tried in order after the rule found something
   * (warnings the trial adds are dropped, so the output stays the same).
   */
  private inputFinder(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope, compile: (def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope) => Rule): (cur: Cursor, run: Run) => string {
    if (def.first === undefined || def.each !== undefined) return (cur) => inputOf(def, cur);
    const extra = def.with !== undefined ? new Map(Object.entries(def.with)) : undefined;
    const options = def.first.map((d, i) => ({ def: d, n: i + 1, value: firstValue(compile(d, at(loc, 'first', i), env, scope)) }));
    return (cur, run) => {
      const inner = extra === undefined ? cur : cur.withVars(cur.vars.with(extra));
      const kept = run.warnings.length;
      const chosen = options.find((o) => o.value(inner, run) !== undefined);
      run.warnings.length = kept;
      return chosen === undefined ? inputOf(def, cur) : `${inputOf(chosen.def, inner)} (first, option ${chosen.n} of ${options.length})`;
    };
  }

  /** Every leaf of the bundle (the output of a mapper whose set was loaded with explain) with where it came from. */
  explain(bundle: unknown): ExplainedElement[] {
    const rows: ExplainedElement[] = [];
    const walk = (value: unknown, path: string, inherited: Provenance | undefined): void => {
      if (Array.isArray(value)) {
        const elements = this.elementRules.get(value);
        value.forEach((v: unknown, i) => walk(v, `${path}[${i}]`, this.own(v) ?? elements?.[i] ?? inherited));
        return;
      }
      if (typeof value === 'object' && value !== null) {
        const fields = this.fieldRules.get(value);
        for (const [k, v] of Object.entries(value)) {
          const sub = path === '' ? k : `${path}.${k}`;
          walk(v, sub, fields?.get(k) ?? this.own(v) ?? this.engine(value, k, sub) ?? inherited);
        }
        return;
      }
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        rows.push({ path, value, ...(inherited ?? {}) });
      }
    };
    walk(bundle, '', undefined);
    return rows;
  }

  private own(v: unknown): Provenance | undefined {
    return typeof v === 'object' && v !== null ? this.valueRules.get(v) : undefined;
  }

  /** Elements the engine writes, and a resource's type and id (from its template). */
  private engine(obj: object, key: string, path: string): Provenance | undefined {
    const filled = this.filledBy.get(obj);
    if (filled !== undefined && key === 'resourceType') return { where: filled.where, rule: `${filled.template} (resourceType)`, input: '' };
    if (filled !== undefined && key === 'id' && filled.id !== undefined) return { where: filled.id, rule: `${filled.template}.id`, input: 'template id rule' };
    if (/\.meta\.security$/.test(path)) return { where: 'security-labels.yaml', rule: 'security label rules', input: 'the coded elements of the resource' };
    if (/^entry\[\d+\]\.(fullUrl|request)$/.test(path)) return { where: '(engine)', rule: 'transaction entry: PUT Type/id', input: '' };
    if (path === 'timestamp') return { where: '(engine)', rule: 'Bundle.timestamp', input: "the input's own time (MSH-7 for HL7 v2)" };
    if (path === 'resourceType' || path === 'type') return { where: '(engine)', rule: 'transaction Bundle', input: '' };
    return undefined;
  }
}
