/**
 * Rule checks over every golden fixture in fixtures/hl7v2: the mapped bundle of each recorded message
 * must be valid FHIR R4 with unique ids, PUT entries at Type/id, resolvable references and no empty values.
 * (The golden comparison itself, output against *.expected.json, is the mapping tests' job.)
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mapper } from '../../src/mapping/types.js';
import { checkBundle } from '../support/bundle-rules.js';
import { loadR4Definitions } from '../support/fhir-validator.js';
import { channel, createRepositoryMapper, hl7FixturesDir, readHl7 } from '../support/mapping-harness.js';

// the channel the golden files were recorded on (see golden.test.ts), so ids match the *.expected.json
const FIXTURE_CHANNEL = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');

const fixtures = existsSync(hl7FixturesDir)
  ? readdirSync(hl7FixturesDir).filter((name) => name.endsWith('.hl7')).sort()
  : [];

describe('mapped fixtures pass the bundle rules', () => {
  let mapper: Mapper;

  beforeAll(() => {
    loadR4Definitions();
    mapper = createRepositoryMapper();
  }, 60_000);

  it('finds recorded HL7 v2 fixtures', () => {
    expect(fixtures.length, `no *.hl7 files in ${hl7FixturesDir}`).toBeGreaterThan(0);
  });

  for (const fixture of fixtures) {
    it(fixture, () => {
      const result = mapper.map(readHl7(resolve(hl7FixturesDir, fixture)), FIXTURE_CHANNEL);
      const issues = checkBundle(result.bundle);
      expect(issues, `${fixture}: the mapped bundle breaks ${issues.length} rule(s)`).toEqual([]);
    });
  }
});
