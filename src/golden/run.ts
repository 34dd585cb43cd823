/**
 * Runs golden fixtures: maps each input, compares the output with its expected file, and runs the rule
 * checks (valid R4, unique ids, references resolve, no empty elements, required bindings) over every
 * bundle in it. `update` rewrites expected files, never with an output that fails the rule checks.
 * One implementation for `junction test` and the golden tests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkBundle } from '../conformance/index.js';
import { MappingLoadError } from '../mapping/index.js';
import { MappingError } from '../mapping/types.js';
import type { Fixture, FixtureChannel } from './discover.js';
import { jsonDifferences, type Difference } from './diff.js';
import type { FixtureOutput, FixtureSetup } from './types.js';

export interface RunnerOptions {
  readonly mappingsDir: string;
  /** map every fixture as this channel (its overlays), whatever fixtures.yaml says */
  readonly channel?: FixtureChannel;
  /** how many differences a failing fixture lists (default 10) */
  readonly differenceLimit?: number;
}

export type FixtureStatus =
  /** output equals the expected file and the rule checks pass */
  | 'pass'
  /** output differs, or the rule checks fail */
  | 'fail'
  /** no expected file yet */
  | 'new'
  /** the input could not be mapped (or the mapping files did not load) */
  | 'error';

export interface FixtureReport {
  readonly fixture: Fixture;
  readonly status: FixtureStatus;
  /** first differences from the expected output (empty when equal or no expected file) */
  readonly differences: readonly Difference[];
  readonly differenceCount: number;
  /** rule violations, `[rule] where: what` */
  readonly violations: readonly string[];
  readonly error?: string;
  /** the output as JSON (what --update writes) */
  readonly output?: unknown;
}

export type UpdateAction = 'unchanged' | 'updated' | 'created' | 'refused' | 'error';

export interface UpdateReport extends FixtureReport {
  readonly action: UpdateAction;
}

type MapFn = (inputPath: string) => FixtureOutput;

/** Why an input could not be mapped, with where (file:line, segment-field) when the error says. */
export function describeError(err: unknown): string {
  if (err instanceof MappingError) return err.where !== undefined ? `${err.message} (at ${err.where})` : err.message;
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
  return String(err);
}

export class FixtureRunner {
  private readonly mappers = new Map<string, MapFn | { readonly error: string }>();

  constructor(private readonly options: RunnerOptions) {}

  private channelOf(fixture: Fixture): FixtureChannel {
    const channel = this.options.channel ?? fixture.channel;
    if (channel === undefined) {
      throw new MappingLoadError([
        { where: fixture.name, what: 'no channel to map this fixture as', fix: 'add a fixtures.yaml (channel: { id, organisation: { odsCode } }) to its folder or a folder above, or pass --channel' },
      ]);
    }
    return channel;
  }

  /** The mapper for a fixture's kind and channel, built once (a load error is kept and reported per fixture). */
  private mapperFor(fixture: Fixture): MapFn | { readonly error: string } {
    const channel = this.channelOf(fixture);
    const key = JSON.stringify([fixture.kind.name, channel.context, channel.overlayDirs]);
    let mapper = this.mappers.get(key);
    if (mapper === undefined) {
      const setup: FixtureSetup = { mappingsDir: this.options.mappingsDir, overlayDirs: channel.overlayDirs, channel: channel.context };
      try {
        mapper = fixture.kind.prepare(setup);
      } catch (err) {
        mapper = { error: describeError(err) };
      }
      this.mappers.set(key, mapper);
    }
    return mapper;
  }

  /** Map one fixture, compare and check it. Never throws for a fixture's own problems. */
  run(fixture: Fixture): FixtureReport {
    let produced: FixtureOutput;
    try {
      const mapper = this.mapperFor(fixture);
      if (typeof mapper !== 'function') return { fixture, status: 'error', differences: [], differenceCount: 0, violations: [], error: mapper.error };
      produced = mapper(fixture.input);
    } catch (err) {
      return { fixture, status: 'error', differences: [], differenceCount: 0, violations: [], error: describeError(err) };
    }
    const output = JSON.parse(JSON.stringify(produced.output)) as unknown;
    const violations = produced.bundles.flatMap((bundle, i) => checkBundle(bundle).map((v) => (produced.bundles.length > 1 ? `bundle ${i + 1}: ${v}` : v)));
    if (!existsSync(fixture.expected)) {
      return { fixture, status: 'new', differences: [], differenceCount: 0, violations, output };
    }
    let expected: unknown;
    try {
      expected = JSON.parse(readFileSync(fixture.expected, 'utf8'));
    } catch (err) {
      return { fixture, status: 'error', differences: [], differenceCount: 0, violations, output, error: `${fixture.expected} is not JSON: ${(err as Error).message}` };
    }
    const diff = jsonDifferences(expected, output, this.options.differenceLimit ?? 10);
    const status = diff.total === 0 && violations.length === 0 ? 'pass' : 'fail';
    return { fixture, status, differences: diff.first, differenceCount: diff.total, violations, output };
  }

  /** Run one fixture and write its expected file when the output changed (or is new) and passes the rule checks. */
  update(fixture: Fixture): UpdateReport {
    const report = this.run(fixture);
    if (report.status === 'error' || report.output === undefined) return { ...report, action: 'error' };
    if (report.status === 'pass') return { ...report, action: 'unchanged' };
    if (report.violations.length > 0) return { ...report, action: 'refused' };
    writeFileSync(fixture.expected, `${JSON.stringify(report.output, null, 2)}\n`);
    return { ...report, status: 'pass', action: report.status === 'new' ? 'created' : 'updated' };
  }
}
