/**
 * Meaning comparison with the FHIR-Converter corpus (../shared/corpora/fhir-converter-adt): for every corpus
 * message Junction maps, our bundle is compared with that project's expected bundle, field by field, for
 * patient, encounter, allergy, condition and procedure fields (test/support/meaning says how: pairs by identity
 * and code, instants in UTC, identifiers by value, local code systems as local:x, sets not lists).
 * It prints an agreement table, and fails when
 * - a difference appears that corpus-meaning.differences.ts does not explain (it prints paste-ready entries), or
 * - an explanation there is no longer needed (so the list stays exact).
 * CORPUS_MEANING_DETAILS=1 prints every difference with both sides' values.
 *
 * After a mapping change (or a merge that maps more events): run this file, read each printed difference, fix the
 * mapping when ours is wrong, otherwise paste the suggested entry into corpus-meaning.differences.ts with the
 * reason ours is right, and remove the entries it reports as stale.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MappingError } from '../../src/mapping/types.js';
import type { Mapper } from '../../src/mapping/types.js';
import { agreementTable, compareBundles, explains, stale, suggestEntries, unexplained, type Outcome } from '../support/meaning/compare.js';
import { channel, createRepositoryMapper, readHl7, repoRoot } from '../support/mapping-harness.js';
import { EXPECTED_DIFFERENCES } from './corpus-meaning.differences.js';

const CORPUS_CHANNEL = channel('corpus', 'XYZ', 'Corpus Hospital');
const corpusDir = resolve(repoRoot, '../shared/corpora/fhir-converter-adt');
const inputDir = resolve(corpusDir, 'input');
const expectedDir = resolve(corpusDir, 'expected');
const corpusPresent = existsSync(inputDir) && existsSync(expectedDir);
const files = corpusPresent ? readdirSync(inputDir).filter((name) => name.endsWith('.hl7')).sort() : [];
if (!corpusPresent) console.warn(`corpus meaning comparison skipped: ${corpusDir} does not exist`);

/** expected/ADT_<event>/<name>-expected.json, wherever the event folder is. */
function theirPath(file: string): string | undefined {
  const name = `${file.slice(0, -'.hl7'.length)}-expected.json`;
  for (const folder of readdirSync(expectedDir)) {
    const path = resolve(expectedDir, folder, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

describe.skipIf(!corpusPresent)('meaning comparison with the fhir-converter-adt expected outputs', () => {
  const outcomes: Outcome[] = [];
  const notCompared: string[] = [];
  const compared: string[] = [];
  let mapper: Mapper;

  beforeAll(() => {
    mapper = createRepositoryMapper();
    for (const file of files) {
      let ours;
      try {
        ours = mapper.map(readHl7(resolve(inputDir, file)), CORPUS_CHANNEL).bundle;
      } catch (error) {
        if (!(error instanceof MappingError)) throw error;
        notCompared.push(`${file} (${error.message.split(':')[0] ?? 'no mapping'})`);
        continue;
      }
      const path = theirPath(file);
      if (path === undefined) throw new Error(`${file}: no expected output under ${expectedDir}`);
      outcomes.push(...compareBundles(file, ours, JSON.parse(readFileSync(path, 'utf8')) as { entry?: { resource?: unknown }[] }));
      compared.push(file);
    }
  }, 60_000);

  afterAll(() => {
    if (!corpusPresent) return;
    const lines = [
      `meaning comparison: ${compared.length} of ${files.length} corpus messages compared; not mapped yet: ${notCompared.length}`,
      agreementTable(outcomes),
    ];
    lines.push('explained differences (verdict, occurrences, what):');
    for (const e of EXPECTED_DIFFERENCES) {
      const n = outcomes.filter((o) => explains(e, o)).length;
      lines.push(`  ${e.verdict.padEnd(10)} ${String(n).padStart(3)}  ${e.resource}.${e.field} ${e.kind}${e.pairs ? ` [${e.pairs.join(', ')}]` : ''}`);
    }
    if (process.env['CORPUS_MEANING_DETAILS'] === '1') {
      for (const o of outcomes.filter((x) => x.kind !== 'agree')) {
        lines.push(`${o.file} ${o.resource}.${o.field} [${o.pair}] ${o.kind}: ours ${JSON.stringify(o.ours)} theirs ${JSON.stringify(o.theirs)}`);
      }
    }
    console.log(lines.join('\n'));
  });

  it('compares every corpus message that maps', () => {
    expect(compared.length).toBeGreaterThan(0);
    expect(compared.length + notCompared.length).toBe(files.length);
  });

  it('every difference from their output is one we have explained', () => {
    const missing = unexplained(outcomes, EXPECTED_DIFFERENCES);
    const hint = missing.length === 0 ? '' : `\nunexplained differences; fix the mapping, or add to corpus-meaning.differences.ts:\n${suggestEntries(missing)}\n`;
    expect(missing.map((o) => `${o.file} ${o.resource}.${o.field} [${o.pair}] ${o.kind}`), hint).toEqual([]);
  });

  it('every explained difference still occurs', () => {
    expect(stale(outcomes, EXPECTED_DIFFERENCES)).toEqual([]);
  });
});
