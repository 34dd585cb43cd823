/** What the compiler carries while it compiles templates and message structures. */
import type { ConceptMap } from './concept-maps.js';
import type { InputReader } from './input-reader.js';
import type { Problems } from './problems.js';
import { ReadSet } from './reads.js';
import type { One, Rule } from './rule.js';
import type { Cursor, JsonObject, Run } from './runtime.js';
import type { FieldDef, NodeDef, TemplateDef } from './schema.js';
import type { Loc } from './yaml-source.js';

/** Whether a rule is looking at a whole segment or at one field (relative paths need a field). */
export type Scope = 'segment' | 'field';

export interface TemplateSource {
  readonly name: string;
  readonly def: TemplateDef;
  readonly loc: Loc;
  readonly kind: 'segment' | 'datatype';
}

export interface CompiledTemplate {
  readonly name: string;
  readonly resourceType: string | undefined;
  /** file:line of the template */
  readonly where: string;
  /** the resource id (resource templates) */
  readonly id: One | undefined;
  /** file:line of the id rule */
  readonly idWhere: string | undefined;
  /** whether the template's own `when` holds here */
  applies(cur: Cursor, run: Run): boolean;
  /** the object, or undefined when the template's `when` does not hold, a required field is missing or (elements) nothing was found */
  build(cur: Cursor, run: Run, id?: string): JsonObject | undefined;
  /** build, for a caller that has already checked `applies` */
  buildApplied(cur: Cursor, run: Run, id?: string): JsonObject | undefined;
  readonly reads: ReadSet;
}

export interface Use {
  readonly name: string;
  readonly loc: Loc;
}

/**
 * The explaining variant of the compiler (`junction map --explain`, see explain.ts): when present,
 * `fields:` objects compile to a builder that notes which rule set each field. Absent for the engine.
 */
export interface ExplainHook {
  fields(
    fields: Record<string, FieldDef>,
    loc: Loc,
    env: CompileEnv,
    scope: Scope,
    compile: (def: NodeDef, loc: Loc, env: CompileEnv, scope: Scope) => Rule,
  ): (cur: Cursor, run: Run, into: JsonObject) => -1 | 0 | 1;
}

export interface Shared {
  readonly templates: ReadonlyMap<string, TemplateSource>;
  readonly compiled: Map<string, CompiledTemplate>;
  readonly compiling: Set<string>;
  /** compiles a named template; injected by the loader so rules and templates can nest without an import cycle */
  readonly compileTemplate: (source: TemplateSource, env: CompileEnv) => CompiledTemplate | undefined;
  readonly conceptMaps: ReadonlyMap<string, ConceptMap>;
  readonly problems: Problems;
  readonly vars: Use[];
  readonly refs: Use[];
  /** the reader of paths for inputs other than HL7 v2 (the mapping file's `input:`); undefined: HL7 v2 */
  readonly input?: InputReader;
  /** only when loaded with { explain: true } */
  readonly explain?: ExplainHook;
}

export class CompileEnv {
  constructor(
    readonly shared: Shared,
    readonly reads: ReadSet = new ReadSet(),
  ) {}

  get problems(): Problems {
    return this.shared.problems;
  }

  withReads(reads: ReadSet): CompileEnv {
    return new CompileEnv(this.shared, reads);
  }

  noteVar(name: string, loc: Loc): void {
    if (name === 'personKey') this.reads.field('PID', 3);
    this.shared.vars.push({ name, loc });
  }

  noteRef(name: string, loc: Loc): void {
    this.shared.refs.push({ name, loc });
  }
}
