/**
 * `junction test [FILTER] [--fixtures DIR] [--channel ID] [--update]`: run every golden fixture (output
 * against its expected file) and the rule checks over its bundles; with --update, rewrite the expected
 * files of fixtures whose output changed and create missing ones — never with an output that fails
 * the rule checks.
 */
import { dirname, join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { discoverFixtures, FixtureRunner, reportDetails as details, type FixtureChannel, type FixtureReport, type UpdateReport } from '../golden/index.js';
import { MappingLoadError } from '../mapping/index.js';

export interface TestOptions {
  readonly fixtures?: string;
  readonly channel?: string;
  readonly update?: boolean;
}

class UsageError extends Error {}

const LABEL: Record<FixtureReport['status'], string> = { pass: 'PASS ', fail: 'FAIL ', new: 'NEW  ', error: 'ERROR' };
const ACTION: Record<UpdateReport['action'], string> = {
  unchanged: 'same   ',
  updated: 'UPDATED',
  created: 'CREATED',
  refused: 'REFUSED',
  error: 'ERROR  ',
};

function channelFromConfig(id: string | undefined): { mappingsDir: string; fixturesDir: string; channel?: FixtureChannel } {
  const config = loadConfig(process.env);
  const fixturesDir = join(dirname(config.configPath), 'fixtures');
  if (id === undefined) return { mappingsDir: config.mappingsDir, fixturesDir };
  const c = config.channels.find((ch) => ch.id === id);
  if (c === undefined) throw new UsageError(`no channel "${id}" in ${config.configPath}; channels are: ${config.channels.map((ch) => ch.id).join(', ')}`);
  return {
    mappingsDir: config.mappingsDir,
    fixturesDir,
    channel: {
      context: { id: c.id, organisation: { odsCode: c.organisation.odsCode, ...(c.organisation.name ? { name: c.organisation.name } : {}) } },
      overlayDirs: c.overlayDirs,
    },
  };
}

export async function runTest(filter: string | undefined, options: TestOptions): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    const setup = channelFromConfig(options.channel);
    const root = options.fixtures !== undefined ? resolve(options.fixtures) : setup.fixturesDir;
    const found = discoverFixtures(root);
    const fixtures = found.fixtures.filter((f) => filter === undefined || f.name.includes(filter));
    if (fixtures.length === 0) {
      throw new UsageError(filter === undefined ? `no fixtures in ${root} (inputs such as name.hl7 beside name.expected.json)` : `no fixture in ${root} matches "${filter}"`);
    }
    const runner = new FixtureRunner({ mappingsDir: setup.mappingsDir, ...(setup.channel ? { channel: setup.channel } : {}) });
    const counts = new Map<string, number>();
    const count = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
    let failed = 0;
    for (const fixture of fixtures) {
      if (options.update) {
        const r = runner.update(fixture);
        count(r.action);
        out(`${ACTION[r.action]}  ${fixture.name}`);
        if (r.action === 'refused') {
          failed++;
          out('      not written: the output fails the rule checks (fix the mapping, then update again)');
          for (const line of details({ ...r, differences: [], differenceCount: 0 })) out(line);
        } else if (r.action === 'error') {
          failed++;
          for (const line of details(r)) out(line);
        }
      } else {
        const r = runner.run(fixture);
        count(r.status);
        out(`${LABEL[r.status]}  ${fixture.name}`);
        if (r.status !== 'pass') {
          failed++;
          for (const line of details(r)) out(line);
        }
      }
    }
    if (filter === undefined) {
      for (const f of found.unread) out(`note   ${f}: no input kind reads this file (registered kinds: see src/golden/kinds.ts); not tested`);
      for (const f of found.orphans) out(`note   ${f}: an expected file with no input beside it`);
    }
    const order = options.update ? ['unchanged', 'updated', 'created', 'refused', 'error'] : ['pass', 'fail', 'new', 'error'];
    const names: Record<string, string> = { pass: 'passed', fail: 'failed', new: 'without expected file', error: 'could not be mapped', unchanged: 'unchanged', updated: 'updated', created: 'created', refused: 'refused' };
    const summary = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${names[k]}`);
    out(`\n${fixtures.length} fixture(s): ${summary.join(', ')}`);
    if (failed > 0) process.exitCode = 1;
  } catch (err) {
    process.stderr.write(`junction test: ${(err as Error).message}\n`);
    process.exitCode = err instanceof ConfigError || err instanceof UsageError ? 2 : 1;
    if (!(err instanceof ConfigError || err instanceof UsageError || err instanceof MappingLoadError) && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
  }
}
