/** The engine's mapping sets: reload swaps valid versions per channel, logs what changed, keeps the old over invalid files. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/config/load.js';
import { startEngineMappings } from '../src/engine-mappings.js';
import { parseMessage } from '../src/hl7v2/index.js';
import { createLogger } from '../src/observability/logger.js';
import { REPO_ROOT } from './support/engine.js';
import { adt } from './support/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-engine-mappings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('engine mapping sets', () => {
  it('swap a valid change in for every channel of the set, log it, and keep the previous version over an invalid one', () => {
    const mappings = join(dir, 'mappings');
    cpSync(join(REPO_ROOT, 'mappings'), mappings, { recursive: true });
    const config = parseConfigText(
      `mappings: ${mappings}\nchannels:\n` +
        ['a', 'b'].map((id, i) => `  - id: ${id}\n    name: ${id}\n    organisation: { odsCode: RGT }\n    source: { type: mllp, port: ${2575 + i} }\n`).join(''),
      join(dir, 'junction.yaml'),
    );
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const engine = startEngineMappings(config, logger, { watch: false });
    try {
      const gender = () => (engine.channel('b')?.mapper.map(parseMessage(adt()), engine.channel('b')!.context).bundle.entry ?? []).find((e) => e.resource?.resourceType === 'Patient')?.resource as { gender?: string };
      const before = engine.channel('a');
      expect(gender().gender).toBe('male');

      const file = join(mappings, 'codesystems', 'administrative-gender.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('M: male', 'M: other'));
      expect(engine.reloadAll().map((o) => o.kind)).toEqual(['reloaded']);
      expect(engine.channel('a')?.mapper).not.toBe(before?.mapper);
      expect(engine.channel('a')?.mapper).toBe(engine.channel('b')?.mapper); // one set, shared
      expect(gender().gender).toBe('other');
      const reloaded = lines.find((l) => l['msg'] === 'mappings reloaded');
      expect(reloaded).toMatchObject({ channels: ['a', 'b'], changed: [expect.stringMatching(/administrative-gender\.yaml$/)], added: [], removed: [] });

      writeFileSync(file, 'id: administrative-gender\nentries: [oops\n');
      const kept = engine.channel('a');
      expect(engine.reloadAll().map((o) => o.kind)).toEqual(['failed']);
      expect(engine.channel('a')).toBe(kept);
      expect(gender().gender).toBe('other');
      const failed = lines.find((l) => l['msg'] === 'mappings reload failed; keeping the previous version');
      expect(failed?.['level']).toBe(50);
      expect((failed?.['problems'] as string[])[0]).toMatch(/administrative-gender\.yaml:\d+:\d+ — YAML syntax error/);
      const status = engine.status() as { sets: { lastError: { problems: { where: string }[] } | null; lastReload: { outcome: string } }[] };
      expect(status.sets[0]?.lastReload.outcome).toBe('failed');
      expect(status.sets[0]?.lastError?.problems[0]?.where).toMatch(/administrative-gender\.yaml:\d+:\d+$/);
    } finally {
      engine.close();
    }
  });
});
