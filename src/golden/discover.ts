/**
 * Finds golden fixtures: under a fixtures folder (recursively), every file a registered input kind reads
 * (`adt-a01-admit.hl7`) with its expected output beside it (`adt-a01-admit.expected.json`). The nearest
 * `fixtures.yaml` (in the file's folder or a folder above it, up to the fixtures folder) says which
 * channel the fixtures were recorded on and which mapping overlays apply:
 *
 *   channel: { id: rgt-adt, organisation: { odsCode: RGT, name: … } }
 *   mappings: [../../mappings-rgt]     # overlay folders, relative to the fixtures.yaml
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { MappingLoadError } from '../mapping/index.js';
import type { ChannelContext } from '../mapping/types.js';
import { Problems } from '../mapping/problems.js';
import { readYamlFile, validate } from '../mapping/yaml-source.js';
import { EXPECTED_SUFFIX, FIXTURE_KINDS, kindFor } from './kinds.js';
import type { FixtureKind } from './types.js';

export const SETTINGS_FILE = 'fixtures.yaml';

const settingsSchema = z.strictObject({
  channel: z
    .strictObject({
      id: z.string().min(1),
      organisation: z.strictObject({ odsCode: z.string().min(1), name: z.string().min(1).optional() }),
    }),
  mappings: z.array(z.string().min(1)).optional(),
});

/** The channel fixtures are mapped as: its context and its overlay folders. */
export interface FixtureChannel {
  readonly context: ChannelContext;
  readonly overlayDirs: readonly string[];
}

export interface Fixture {
  /** the input's path relative to the fixtures folder, with `/` (`hl7v2/adt-a01-admit.hl7`) */
  readonly name: string;
  readonly input: string;
  readonly expected: string;
  readonly kind: FixtureKind;
  /** from the nearest fixtures.yaml; undefined when none says (the caller must then name a channel) */
  readonly channel: FixtureChannel | undefined;
  /** the fixtures.yaml the channel came from */
  readonly settingsFile: string | undefined;
}

export interface Discovered {
  readonly fixtures: readonly Fixture[];
  /** files no input kind reads (so a new format is not silently left out) */
  readonly unread: readonly string[];
  /** expected files with no input beside them */
  readonly orphans: readonly string[];
}

/** Files that are never inputs: expected outputs, settings, notes. */
function isNeverInput(name: string): boolean {
  return name.startsWith('.') || name === SETTINGS_FILE || name.endsWith(EXPECTED_SUFFIX) || /\.(md|txt)$/i.test(name);
}

function readSettings(path: string): FixtureChannel {
  const problems = new Problems();
  const file = readYamlFile(path, problems);
  const def = file && validate(file, settingsSchema, problems);
  if (def === undefined) {
    problems.throwIfAny();
    throw new MappingLoadError([{ where: path, what: 'cannot read the fixture settings', fix: 'see fixtures/README.md' }]);
  }
  const { id, organisation } = def.channel;
  return {
    context: { id, organisation: { odsCode: organisation.odsCode, ...(organisation.name !== undefined ? { name: organisation.name } : {}) } },
    overlayDirs: (def.mappings ?? []).map((m) => resolve(dirname(path), m)),
  };
}

/** Every fixture under `root`, sorted by name. Throws MappingLoadError (file:line) for a bad fixtures.yaml. */
export function discoverFixtures(root: string, kinds: readonly FixtureKind[] = FIXTURE_KINDS): Discovered {
  const top = resolve(root);
  if (!existsSync(top) || !statSync(top).isDirectory()) {
    throw new MappingLoadError([{ where: root, what: 'the fixtures folder does not exist', fix: 'give --fixtures the folder holding the golden fixtures' }]);
  }
  const fixtures: Fixture[] = [];
  const unread: string[] = [];
  const orphans: string[] = [];
  const name = (p: string): string => relative(top, p).split(sep).join('/');
  const walk = (dir: string, inherited: { channel: FixtureChannel | undefined; file: string | undefined }): void => {
    const settingsPath = join(dir, SETTINGS_FILE);
    const here = existsSync(settingsPath) ? { channel: readSettings(settingsPath), file: settingsPath } : inherited;
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const inputs = new Set<string>();
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path, here);
        continue;
      }
      if (!entry.isFile() || isNeverInput(entry.name)) continue;
      const found = kindFor(entry.name, kinds);
      if (found === undefined) {
        unread.push(name(path));
        continue;
      }
      const stem = entry.name.slice(0, -found.extension.length);
      inputs.add(stem);
      fixtures.push({ name: name(path), input: path, expected: join(dir, `${stem}${EXPECTED_SUFFIX}`), kind: found.kind, channel: here.channel, settingsFile: here.file });
    }
    for (const entry of entries) {
      if (entry.isFile() && entry.name.endsWith(EXPECTED_SUFFIX) && !inputs.has(entry.name.slice(0, -EXPECTED_SUFFIX.length))) {
        orphans.push(name(join(dir, entry.name)));
      }
    }
  };
  walk(top, { channel: undefined, file: undefined });
  fixtures.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { fixtures, unread, orphans };
}
