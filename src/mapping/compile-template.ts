/** Compiles a named template (segment or datatype file) once; later uses share the closure. */
import { compileCondition } from './conditions.js';
import type { CompileEnv, CompiledTemplate, TemplateSource } from './compile-env.js';
import { compileFields, compileNode, FOUND, MISSING } from './compile-node.js';
import { ReadSet } from './reads.js';
import type { JsonObject } from './runtime.js';
import { where } from './yaml-source.js';

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
  const idEval = def.id !== undefined ? compileNode(def.id, { file: loc.file, path: [...loc.path, 'id'] }, env, scope) : undefined;
  const when = def.when !== undefined ? compileCondition(def.when, { file: loc.file, path: [...loc.path, 'when'] }, env, scope) : undefined;
  const fields = compileFields(def.fields, { file: loc.file, path: [...loc.path, 'fields'] }, env, scope);
  const resourceType = def.resourceType;
  const compiled: CompiledTemplate = {
    name: source.name,
    ...(resourceType !== undefined ? { resourceType } : {}),
    where: where(loc),
    ...(idEval !== undefined ? { id: idEval } : {}),
    reads,
    applies: when === undefined ? () => true : when,
    build(cur, run, id) {
      if (when !== undefined && !when(cur, run)) return undefined;
      const obj: JsonObject = resourceType !== undefined && id !== undefined ? { resourceType, id } : {};
      const found = fields(cur, run, obj);
      if (found === MISSING) return undefined;
      return found === FOUND || resourceType !== undefined ? obj : undefined;
    },
  };
  shared.compiling.delete(source.name);
  shared.compiled.set(source.name, compiled);
  return compiled;
}
