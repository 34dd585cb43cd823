/**
 * Robustness over an external corpus: the 57 dense ADT messages of Microsoft's FHIR-Converter
 * (../shared/corpora/fhir-converter-adt, see its README). Every message must parse, and every one
 * (every event of the corpus has a structure in mappings/hl7v2/events.yaml) must map without an exception
 * to a bundle that passes every rule check (valid R4, unique ids, resolvable references, no empty values).
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hl7Message } from '../../src/hl7v2/index.js';
import type { Mapper, MapResult } from '../../src/mapping/types.js';
import { checkBundle } from '../support/bundle-rules.js';
import { loadR4Definitions } from '../support/fhir-validator.js';
import { channel, createRepositoryMapper, readHl7, repoRoot } from '../support/mapping-harness.js';

const CORPUS_CHANNEL = channel('corpus', 'XYZ', 'Corpus Hospital');

const corpusDir = resolve(repoRoot, '../shared/corpora/fhir-converter-adt');
const inputDir = resolve(corpusDir, 'input');
const corpusPresent = existsSync(inputDir);
const files = corpusPresent ? readdirSync(inputDir).filter((name) => name.endsWith('.hl7')).sort() : [];
if (!corpusPresent) {
  console.warn(`corpus tests skipped: ${inputDir} does not exist (CI checks out shared/ beside the clone)`);
}

interface Row {
  file: string;
  event: string;
  parsed: boolean;
  mapped: 'yes' | 'error' | '-';
  valid: 'yes' | 'no' | '-';
  resources: number;
  note: string;
}

const rows = new Map<string, Row>();

function row(file: string): Row {
  let found = rows.get(file);
  if (!found) {
    found = { file, event: '?', parsed: false, mapped: '-', valid: '-', resources: 0, note: '' };
    rows.set(file, found);
  }
  return found;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? text;
}

function printSummary(): void {
  const all = files.map(row);
  const count = (test: (r: Row) => boolean): number => all.filter(test).length;
  const lines = all.map((r) =>
    [r.file.padEnd(16), r.event.padEnd(5), (r.parsed ? 'yes' : 'NO').padEnd(6), r.mapped.padEnd(10), r.valid.padEnd(5), String(r.resources).padStart(3), ` ${r.note}`]
      .join(' ')
      .trimEnd(),
  );
  console.log(
    [
      `fhir-converter-adt corpus: messages ${all.length}, parsed ${count((r) => r.parsed)}, mapped ${count((r) => r.mapped === 'yes')}, ` +
        `valid ${count((r) => r.valid === 'yes')}`,
      `${'file'.padEnd(16)} ${'event'.padEnd(5)} ${'parsed'.padEnd(6)} ${'mapped'.padEnd(10)} ${'valid'.padEnd(5)} res note`,
      ...lines,
    ].join('\n'),
  );
}

describe.skipIf(!corpusPresent)('fhir-converter-adt corpus', () => {
  afterAll(printSummary);

  it('holds the recorded messages', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  const parsed = new Map<string, Hl7Message>();

  describe('every message parses', () => {
    for (const file of files) {
      it(file, () => {
        const message = readHl7(resolve(inputDir, file));
        const r = row(file);
        r.parsed = true;
        r.event = message.header.messageType.event ?? '?';
        parsed.set(file, message);
      });
    }
  });

  describe('every message maps to a bundle that passes the rules', () => {
    let mapper: Mapper;

    beforeAll(() => {
      loadR4Definitions();
      mapper = createRepositoryMapper();
    }, 60_000);

    for (const file of files) {
      it(file, () => {
        const message = parsed.get(file);
        if (!message) throw new Error(`${file} did not parse (see its parse test), so it cannot be mapped`);
        const r = row(file);
        let result: MapResult;
        try {
          result = mapper.map(message, CORPUS_CHANNEL);
        } catch (error) {
          r.note = firstLine(error);
          r.mapped = 'error';
          throw error;
        }
        r.mapped = 'yes';
        r.resources = result.bundle.entry?.length ?? 0;
        const issues = checkBundle(result.bundle);
        r.valid = issues.length === 0 ? 'yes' : 'no';
        if (issues.length > 0) r.note = `${issues.length} rule failure(s), first: ${issues[0] ?? ''}`;
        expect(issues, `${file}: the mapped bundle breaks ${issues.length} rule(s)`).toEqual([]);
      });
    }
  });
});
