/** Golden fixtures: discovery (input kinds, fixtures.yaml), running, comparing, updating. See fixtures/README.md. */
export { discoverFixtures, SETTINGS_FILE, type Discovered, type Fixture, type FixtureChannel } from './discover.js';
export { jsonDifferences, showValue, type Difference, type Differences } from './diff.js';
export { EXPECTED_SUFFIX, FIXTURE_KINDS, kindFor } from './kinds.js';
export { describeError, FixtureRunner, type FixtureReport, type FixtureStatus, type RunnerOptions, type UpdateAction, type UpdateReport } from './run.js';
export type { FixtureKind, FixtureOutput, FixtureSetup } from './types.js';
export { reportDetails } from './report.js';
