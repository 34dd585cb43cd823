/** Compiles a named template (segment or datatype file) once; later uses share the closure. */
import { compileCondition } from './conditions.js';
import type { CompileEnv, CompiledTemplate, TemplateSource } from './compile-env.js';
import { compileRule } from './compile-node.js';
import { compileFields, FOUND, MISSING } from './compile-shape.js';
import { ReadSet } from './reads.js';
import { firstValue } from './rule.js';
import type { Cursor, JsonObject, Run } from './runtime.js';
import { at, where } from './yaml-source.js';

export function compileTemplate(source: TemplateSource, parent: CompileEnv): CompiledTemplate | undefined {
  const shared = parent.shared;
  const done = shared.compiled.get(source.name);
  if (done !== undefined) return done;
  if (shared.compiling.has(source.name)) {
    parent.problems.add(where(source.loc), `template ${source.name} uses itself (directly or through other templates)`, 'break the cycle');
    return undefined;
  }
  shared.compiling.add(source.name);
  const reads = new ReadSet();
  const env = parent.withReads(reads);
  const { def, loc } = source;
  const scope = source.kind === 'datatype' ? 'field' : 'segment';
  const id = def.id !== undefined ? firstValue(compileRule(def.id, at(loc, 'id'), env, scope)) : undefined;
  const when = def.when !== undefined ? compileCondition(def.when, at(loc, 'when'), env, scope) : undefined;
  const fill = compileFields(def.fields, at(loc, 'fields'), env, scope, compileRule);
  const resourceType = def.resourceType;
  const make = (cur: Cursor, run: Run, id?: string): JsonObject | undefined => {
    const obj: JsonObject = resourceType !== undefined && id !== undefined ? { resourceType, id } : {};
    const found = fill(cur, run, obj);
    if (found === MISSING) return undefined;
    return found === FOUND || resourceType !== undefined ? obj : undefined;
  };
  // every template object has the same keys (one shape), so that reading them stays fast where many are used
  const compiled: CompiledTemplate = {
    name: source.name,
    resourceType,
    where: where(loc),
    id,
    idWhere: id !== undefined ? where(at(loc, 'id')) : undefined,
    reads,
    applies: when === undefined ? () => true : when,
    build: when === undefined ? make : (cur, run, id) => (when(cur, run) ? make(cur, run, id) : undefined),
    buildApplied: make,
  };
  shared.compiling.delete(source.name);
  shared.compiled.set(source.name, compiled);
  return compiled;
}
