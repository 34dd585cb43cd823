/**
 * Input kinds a golden fixture can be: which file endings a kind reads and how it maps such a file.
 * A new input format (GP Connect bundles, CSV extracts …) registers here by adding its kind to
 * FIXTURE_KINDS; `junction test` and the golden tests then find and run its fixtures.
 */
import { csvExtractFixtures, gpConnectFixtures } from './gp-kinds.js';
import { hl7v2Fixtures } from './hl7v2-kind.js';
import type { FixtureKind } from './types.js';

export type { FixtureKind, FixtureOutput, FixtureSetup } from './types.js';

/** Every registered input kind. Add new kinds here. */
export const FIXTURE_KINDS: readonly FixtureKind[] = [hl7v2Fixtures, gpConnectFixtures, csvExtractFixtures];

/** The ending that names expected output files; never an input. */
export const EXPECTED_SUFFIX = '.expected.json';

/** The kind and ending for a file name, or undefined when no kind reads it. */
export function kindFor(fileName: string, kinds: readonly FixtureKind[] = FIXTURE_KINDS): { kind: FixtureKind; extension: string } | undefined {
  if (fileName.endsWith(EXPECTED_SUFFIX)) return undefined;
  let best: { kind: FixtureKind; extension: string } | undefined;
  for (const kind of kinds) {
    for (const extension of kind.extensions) {
      if (fileName.endsWith(extension) && fileName.length > extension.length && (best === undefined || extension.length > best.extension.length)) {
        best = { kind, extension };
      }
    }
  }
  return best;
}
