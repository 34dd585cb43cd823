/** What an input kind of golden fixture is: see kinds.ts for the registry. */
import type { Bundle } from '@medplum/fhirtypes';
import type { ExplainedElement } from '../mapping/index.js';
import type { ChannelContext } from '../mapping/types.js';

/** What a kind is given to build its mapper: the mapping files and the channel the fixtures were recorded on. */
export interface FixtureSetup {
  readonly mappingsDir: string;
  /** the channel's overlay folders, applied on top of mappingsDir */
  readonly overlayDirs: readonly string[];
  readonly channel: ChannelContext;
  /** compile the explaining variant and give `explained` (`junction map --explain`; slower) */
  readonly explain?: boolean;
}

/** What mapping one input file gives. */
export interface FixtureOutput {
  /** compared with `<name>.expected.json` (as JSON: undefined members dropped) */
  readonly output: unknown;
  /** the FHIR bundles in that output: each must pass the rule checks */
  readonly bundles: readonly Bundle[];
  /** with setup.explain: per bundle, where each element came from */
  readonly explained?: readonly (readonly ExplainedElement[])[];
}

export interface FixtureKind {
  /** shown in reports, e.g. `hl7v2` */
  readonly name: string;
  /** file endings this kind reads, with the dot (`.hl7`); the longest ending that matches a file wins */
  readonly extensions: readonly string[];
  /**
   * Builds what maps this kind's inputs, once per channel and overlay set. It may throw (a mapping file
   * that does not load): every fixture that needed it then fails with that error.
   */
  prepare(setup: FixtureSetup): (inputPath: string) => FixtureOutput;
}
