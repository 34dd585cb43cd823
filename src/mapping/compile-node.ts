/**
 * Compiles value rules (from, const, var, ref, first, parts, each, when, template, resource, fields,
 * transform) into closures, once, when the mapping files load. See mappings/README.md.
 */
import { compileCondition, compileReadPath } from './conditions.js';
import type { CompileEnv, CompiledTemplate, Eval, Scope } from './compile-env.js';
import { parseMappingPath, PATH_HELP } from './paths.js';
import {
  copyJson,
  describe,
  eachRepetition,
  eachSubcomponent,
  focusAbsolute,
  focusRelative,
  isFhirId,
  pushText,
  pushValue,
  readAbsolute,
  readCursor,
  readRelative,
  rootCursor,
  Cursor,
  type Json,
  type JsonObject,
  type Run,
} from './runtime.js';
import type { FieldDef, NodeDef } from './schema.js';
import { compileTransform, type TransformFn } from './transforms.js';
import { where, type Loc } from './yaml-source.js';

function at(loc: Loc, ...steps: (string | number)[]): Loc {
  return { file: loc.file, path: [...loc.path, ...steps] };
}

const nothing: Eval = () => {};

/**
 * Fills an object from `fields:`. Returns FOUND when it set at least one field, NONE when it found nothing,
 * MISSING when a `required: true` field found nothing (the object must then be left out).
 */
export type ObjectBuilder = (cur: Cursor, run: Run, into: JsonObject) => FillResult;
export const FOUND = 1;
export const NONE = 0;
export const MISSING = -1;
export type FillResult = typeof FOUND | typeof NONE | typeof MISSING;

interface CompiledField {
  readonly key: string;
  /** the field holds a list (written as a list of rules in the mapping file) */
  readonly list: boolean;
  /** all the field's rules, in order */
  readonly values: Eval;
  readonly required: boolean;
}

/** One Eval running several in order (so the field loop makes one call per field). */
function inSequence(evals: readonly Eval[]): Eval {
  if (evals.length === 1) return evals[0] as Eval;
  return (cur, run, out) => {
    for (let i = 0; i < evals.length; i++) (evals[i] as Eval)(cur, run, out);
  };
}

export function compileFields(fields: Record<string, FieldDef>, loc: Loc, env: CompileEnv, scope: Scope): ObjectBuilder {
  const compiled: CompiledField[] = Object.entries(fields).map(([key, def]) => {
    if (Array.isArray(def)) {
      const evals = def.map((d, i) => compileNode(d, at(loc, key, i), env, scope));
      return { key, list: true, values: inSequence(evals), required: def.some((d) => d.required === true) };
    }
    return { key, list: false, values: compileNode(def, at(loc, key), env, scope), required: def.required === true };
  });
  return (cur, run, into) => {
    let found: FillResult = NONE;
    for (let i = 0; i < compiled.length; i++) {
      const f = compiled[i] as CompiledField;
      const values: Json[] = [];
      f.values(cur, run, values);
      if (values.length === 0) {
        if (f.required) return MISSING;
        continue;
      }
      into[f.key] = f.list ? values : (values[0] as Json);
      found = FOUND;
    }
    return found;
  };
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

function compileResource(name: string, loc: Loc, env: CompileEnv): Eval {
  const tpl = useTemplate(name, loc, env, true);
  if (tpl === undefined || tpl.id === undefined) return nothing;
  const idEval = tpl.id;
  const type = tpl.resourceType as string;
  return (cur, run, out) => {
    const ids: Json[] = [];
    idEval(cur, run, ids);
    const id = ids[0];
    if (id === undefined) {
      run.warn(`${describe(cur)}: no ${type} made: template ${name} found no identifier for its id (${tpl.where})`);
      return;
    }
    if (!isFhirId(id)) {
      run.warn(`${describe(cur)}: no ${type} made: template ${name} made an id that is not a valid FHIR id (${tpl.where})`);
      return;
    }
    const key = `${type}/${id}`;
    if (!run.mainKeys.has(key) && !run.secondary.has(key)) {
      const body = tpl.build(cur, run, id);
      if (body === undefined) return;
      run.secondary.set(key, body);
    }
    out.push({ reference: key });
  };
}

function compileShape(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope): Eval | undefined {
  if (def.template !== undefined) {
    const tpl = useTemplate(def.template, at(loc, 'template'), env, false);
    if (tpl === undefined) return nothing;
    return (cur, run, out) => pushValue(out, tpl.build(cur, run));
  }
  if (def.resource !== undefined) return compileResource(def.resource, at(loc, 'resource'), env);
  if (def.fields !== undefined) {
    const build = compileFields(def.fields, at(loc, 'fields'), env, scope);
    return (cur, run, out) => {
      const obj: JsonObject = {};
      if (build(cur, run, obj) === FOUND) out.push(obj);
    };
  }
  return undefined;
}

function compileSource(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope): Eval {
  if (def.from !== undefined) {
    const p = compileReadPath(def.from, at(loc, 'from'), env, scope);
    if (p === undefined) return nothing;
    return p.kind === 'absolute'
      ? (cur, run, out) => pushText(out, readAbsolute(p, cur, run))
      : (cur, _run, out) => pushText(out, readRelative(p, cur));
  }
  if (def.const !== undefined) {
    const value = def.const as Json;
    const probe: Json[] = [];
    pushValue(probe, value);
    if (probe.length === 0) return nothing; // an empty constant never reaches the output
    return typeof value === 'object' ? (_c, _r, out) => out.push(copyJson(value)) : (_c, _r, out) => out.push(value);
  }
  if (def.var !== undefined) {
    const name = def.var;
    env.noteVar(name, at(loc, 'var'));
    return (cur, _run, out) => pushValue(out, cur.vars.get(name));
  }
  if (def.ref !== undefined) {
    const name = def.ref;
    env.noteRef(name, at(loc, 'ref'));
    return (_cur, run, out) => {
      const target = run.refs.get(name);
      if (target !== undefined) out.push({ reference: target });
    };
  }
  if (def.first !== undefined) {
    const options = def.first.map((d, i) => compileNode(d, at(loc, 'first', i), env, scope));
    return (cur, run, out) => {
      for (const option of options) {
        const before = out.length;
        option(cur, run, out);
        if (out.length > before) return;
      }
    };
  }
  if (def.parts !== undefined) {
    const parts = def.parts.map((d, i) => ({ eval: compileNode(d, at(loc, 'parts', i), env, scope), optional: d.optional === true }));
    return (cur, run, out) => {
      const values: string[] = [];
      for (const part of parts) {
        const found: Json[] = [];
        part.eval(cur, run, found);
        const v = found[0];
        if (v === undefined || typeof v === 'object') {
          if (!part.optional) return;
          values.push('');
        } else values.push(String(v));
      }
      out.push(values);
    };
  }
  return (cur, _run, out) => pushText(out, readCursor(cur));
}

function labelFor(def: NodeDef): (cur: Cursor) => string {
  if (def.from !== undefined) {
    const text = def.from;
    return text.startsWith('.') ? (cur) => `${describe(cur)}${text}` : () => text;
  }
  if (def.var !== undefined) {
    const text = def.var;
    return () => text;
  }
  return describe;
}

/** Compile one rule into a closure. */
export function compileNode(def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope): Eval {
  // each: the rest of the rule runs once per segment / repetition / subcomponent
  let iterate: ((cur: Cursor, run: Run) => readonly Cursor[]) | undefined;
  let inner: Scope = scope;
  if (def.each !== undefined) {
    const p = parseMappingPath(def.each, true);
    if (typeof p === 'string') {
      env.problems.add(where(at(loc, 'each')), p, `${PATH_HELP}; each also takes a segment name such as NK1`);
    } else if (p.kind === 'segment') {
      env.reads.touch(p.segment);
      const name = p.segment;
      iterate = (cur, run) => run.segmentsNamed(name).map((s) => rootCursor(s, cur.vars));
      inner = 'segment';
    } else if (p.kind === 'absolute') {
      if (p.repetition !== undefined || p.component !== undefined) {
        env.problems.add(where(at(loc, 'each')), `each ${p.text} loops over one repetition or component`, `loop over the field (each: ${p.segment}-${p.field}) and read .n inside`);
      }
      env.reads.field(p.segment, p.field);
      iterate = (cur, run) => eachRepetition(p, cur, run);
      inner = 'field';
    } else if (scope === 'segment') {
      env.problems.add(where(at(loc, 'each')), `relative path ${p.text} used where no field is selected`, 'loop over a field first, e.g. each: PID-3');
    } else {
      iterate = (cur) => eachSubcomponent(p, cur);
    }
  }
  const when = def.when !== undefined ? compileCondition(def.when, at(loc, 'when'), env, inner) : undefined;

  // the value: a shape (template/resource/fields) at the place `from` points to, or a plain source
  let core: Eval;
  const hasShape = def.template !== undefined || def.resource !== undefined || def.fields !== undefined;
  if (hasShape) {
    let shapeScope = inner;
    let focus: ((cur: Cursor, run: Run) => Cursor | undefined) | undefined;
    if (def.from !== undefined) {
      const p = compileReadPath(def.from, at(loc, 'from'), env, inner);
      if (p !== undefined) {
        focus = p.kind === 'absolute' ? (cur, run) => focusAbsolute(p, cur, run) : (cur) => focusRelative(p, cur);
        shapeScope = 'field';
      }
    }
    const shape = compileShape(def, loc, env, shapeScope) ?? nothing;
    core =
      focus === undefined
        ? shape
        : (cur, run, out) => {
            const c = focus(cur, run);
            if (c !== undefined) shape(c, run, out);
          };
  } else {
    core = compileSource(def, loc, env, inner);
  }

  if (def.with !== undefined) {
    const extra = new Map(Object.entries(def.with));
    const valueOf = core;
    core = (cur, run, out) => valueOf(cur.withVars(cur.vars.with(extra)), run, out);
  }

  if (def.transform !== undefined) {
    const list = Array.isArray(def.transform) ? def.transform : [def.transform];
    const fns: TransformFn[] = [];
    let fillsEmpty = false;
    list.forEach((t, i) => {
      const tloc = Array.isArray(def.transform) ? at(loc, 'transform', i) : at(loc, 'transform');
      const r = compileTransform(t, { conceptMaps: env.shared.conceptMaps });
      if (r.ok) {
        fns.push(r.fn);
        fillsEmpty ||= r.fillsEmpty;
      } else env.problems.add(where(tloc, r.path, r.path.length === 1), r.error, r.fix);
    });
    const label = labelFor(def);
    const valueOf = core;
    core = (cur, run, out) => {
      let values: Json[] = [];
      valueOf(cur, run, values);
      if (values.length === 0 && !fillsEmpty) return; // nothing found, and no transform makes something of nothing
      for (const fn of fns) values = fn(values, cur, run, label);
      for (const v of values) pushValue(out, v);
    };
  }

  if (when !== undefined) {
    const valueOf = core;
    core = (cur, run, out) => {
      if (when(cur, run)) valueOf(cur, run, out);
    };
  }

  if (iterate !== undefined) {
    const loop = iterate;
    const body = core;
    return (cur, run, out) => {
      for (const c of loop(cur, run)) body(c, run, out);
    };
  }
  return core;
}
