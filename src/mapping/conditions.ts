/** Declarative conditions (`when:`): exists, equals, in, startsWith, not, all, any. No code strings. */
import { internString } from '../hl7v2/text.js';
import type { Hl7Field } from '../hl7v2/types.js';
import type { ConditionDef } from './schema.js';
import { parseMappingPath, PATH_HELP, type AbsolutePath, type RelativePath } from './paths.js';
import { readAbsolute, readRelative, segmentFor, type Cursor, type Run } from './runtime.js';
import type { CompileEnv, Scope } from './compile-env.js';
import { where, type Loc } from './yaml-source.js';

export type Condition = (cur: Cursor, run: Run) => boolean;

const never: Condition = () => false;

function fieldPresent(p: AbsolutePath, cur: Cursor, run: Run): boolean {
  if (p.component !== undefined || p.repetition !== undefined) return readAbsolute(p, cur, run) !== undefined;
  // present: not empty and not the HL7 null "" (one repetition that is null), read without copying the field
  const seg = segmentFor(p, cur, run);
  if (seg === undefined || seg.isFieldEmpty(p.field)) return false;
  const reps = seg.repetitions(p.field);
  return reps.length !== 1 || !(reps[0] as Hl7Field).isNull;
}

/** Compile a path used by a condition or a rule; problems are reported at `loc`. */
export function compileReadPath(text: string, loc: Loc, env: CompileEnv, scope: Scope): AbsolutePath | RelativePath | undefined {
  const p = parseMappingPath(text);
  if (typeof p === 'string') {
    env.problems.add(where(loc), p, PATH_HELP);
    return undefined;
  }
  if (p.kind === 'segment') return undefined;
  if (p.kind === 'relative' && scope === 'segment') {
    env.problems.add(
      where(loc),
      `relative path ${p.text} used where no field is selected`,
      'write an absolute path such as PID-5.1, or use it inside a rule with each: or from: a field, or in a datatype template',
    );
    return undefined;
  }
  if (p.kind === 'absolute') env.reads.field(p.segment, p.field);
  return p;
}

export function compileCondition(def: ConditionDef, loc: Loc, env: CompileEnv, scope: Scope): Condition {
  if (def.not !== undefined) {
    const inner = compileCondition(def.not, { file: loc.file, path: [...loc.path, 'not'] }, env, scope);
    return (cur, run) => !inner(cur, run);
  }
  if (def.all !== undefined) {
    const list = def.all.map((c, i) => compileCondition(c, { file: loc.file, path: [...loc.path, 'all', i] }, env, scope));
    return (cur, run) => {
      for (const c of list) if (!c(cur, run)) return false;
      return true;
    };
  }
  if (def.any !== undefined) {
    const list = def.any.map((c, i) => compileCondition(c, { file: loc.file, path: [...loc.path, 'any', i] }, env, scope));
    return (cur, run) => {
      for (const c of list) if (c(cur, run)) return true;
      return false;
    };
  }
  const input = env.shared.input;
  if (input !== undefined && def.var === undefined) {
    // another input's paths (a FHIR resource, a CSV row): see json-input.ts
    if (def.exists !== undefined) return input.exists(def.exists, { file: loc.file, path: [...loc.path, 'exists'] }, env) ?? never;
    const read = input.text(def.path ?? '', { file: loc.file, path: [...loc.path, 'path'] }, env);
    return read === undefined ? never : compileTest(def, read);
  }
  if (def.exists !== undefined) {
    const p = compileReadPath(def.exists, { file: loc.file, path: [...loc.path, 'exists'] }, env, scope);
    if (p === undefined) return never;
    return p.kind === 'absolute' ? (cur, run) => fieldPresent(p, cur, run) : (cur) => readRelative(p, cur) !== undefined;
  }
  if (def.var !== undefined) {
    const name = internString(def.var);
    env.noteVar(name, { file: loc.file, path: [...loc.path, 'var'] });
    return compileTest(def, (cur) => cur.vars.get(name));
  }
  const p = compileReadPath(def.path ?? '', { file: loc.file, path: [...loc.path, 'path'] }, env, scope);
  if (p === undefined) return never;
  return p.kind === 'absolute' ? compileTest(def, (cur, run) => readAbsolute(p, cur, run)) : compileTest(def, (cur) => readRelative(p, cur));
}

/** equals / in / startsWith on the text `read` finds. */
function compileTest(def: ConditionDef, read: (cur: Cursor, run: Run) => string | undefined): Condition {
  if (def.equals !== undefined) {
    const expected = String(def.equals);
    return (cur, run) => read(cur, run) === expected;
  }
  if (def.in !== undefined) {
    const values = [...new Set(def.in.map(String))];
    if (values.length > 8) {
      const set = new Set(values);
      return (cur, run) => {
        const v = read(cur, run);
        return v !== undefined && set.has(v);
      };
    }
    // a short list: comparing texts is cheaper than hashing the text read (a new string every message)
    return (cur, run) => {
      const v = read(cur, run);
      if (v === undefined) return false;
      for (let i = 0; i < values.length; i++) if (values[i] === v) return true;
      return false;
    };
  }
  const prefix = def.startsWith ?? '';
  return (cur, run) => read(cur, run)?.startsWith(prefix) === true;
}
