/**
 * The seam between the mapping language and what it reads. HL7 v2 paths (`PID-5.1`, `.1`) are read by the
 * code in runtime.ts and conditions.ts; other inputs (a FHIR resource, a CSV row: see json-input.ts) bring a
 * reader, chosen per mapping file by its `input:` kind and carried on the compile environment. Rules,
 * templates, conditions, loops and transforms are the same for every input.
 */
import type { Problems } from './problems.js';
import type { ReadSet } from './reads.js';
import type { One } from './rule.js';
import type { Cursor, Run } from './runtime.js';
import type { Loc } from './yaml-source.js';

export type Focus = (cur: Cursor, run: Run) => Cursor | undefined;
export type Iterate = (cur: Cursor, run: Run) => readonly Cursor[];
export type ReadText = (cur: Cursor, run: Run) => string | undefined;
export type Test = (cur: Cursor, run: Run) => boolean;

/** What a reader needs of the compile environment (CompileEnv has it): where to report problems and note reads. */
export interface ReaderEnv {
  readonly problems: Problems;
  readonly reads: ReadSet;
}

/** Compiles the paths of one input kind. Each method reports a bad path at `loc` and returns undefined. */
export interface InputReader {
  /** `input:` as written in the mapping files */
  readonly kind: string;
  /** `from:` — the value at the path */
  read(text: string, loc: Loc, env: ReaderEnv): One | undefined;
  /** the text at the path, for a condition's equals / in / startsWith */
  text(text: string, loc: Loc, env: ReaderEnv): ReadText | undefined;
  /** `{ exists: PATH }` */
  exists(text: string, loc: Loc, env: ReaderEnv): Test | undefined;
  /** `from:` with template, resource or fields: the cursor they build at */
  focus(text: string, loc: Loc, env: ReaderEnv): Focus | undefined;
  /** `each:` — one cursor per value at the path */
  loop(text: string, loc: Loc, env: ReaderEnv): Iterate | undefined;
  /** a rule without a source: the value the cursor points at */
  readonly here: One;
}
