/**
 * GP feed fixtures: `<name>.json` is a GP Connect structured record (FHIR STU3 bundle), `<name>.csv` a CSV
 * extract whose header names its layout (each data row mapped on its own; the output is the list of results).
 * Both are mapped with mappings/gp/.
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '../channels/csv.js';
import { loadMappingSet } from '../mapping/index.js';
import { createRecordMapper } from '../mapping/record-mapper.js';
import { MappingError } from '../mapping/types.js';
import type { FixtureKind } from './types.js';

export const gpConnectFixtures: FixtureKind = {
  name: 'gp-connect',
  extensions: ['.json'],
  prepare(setup) {
    const set = loadMappingSet(setup.mappingsDir, setup.overlayDirs, { explain: setup.explain === true });
    const mapper = createRecordMapper(set);
    const explainer = set.explainer;
    return (inputPath) => {
      const result = mapper.mapBundle('gp-connect', JSON.parse(readFileSync(inputPath, 'utf8')), setup.channel);
      return { output: result, bundles: [result.bundle], ...(explainer ? { explained: [explainer.explain(result.bundle)] } : {}) };
    };
  },
};

export const csvExtractFixtures: FixtureKind = {
  name: 'gp-csv',
  extensions: ['.csv'],
  prepare(setup) {
    const set = loadMappingSet(setup.mappingsDir, setup.overlayDirs, { explain: setup.explain === true });
    const mapper = createRecordMapper(set);
    const explainer = set.explainer;
    return (inputPath) => {
      const csv = parseCsv(readFileSync(inputPath, 'utf8'));
      const layout = mapper.layoutFor(csv.header);
      if (layout === undefined) {
        throw new MappingError(`no CSV layout has the columns ${csv.header.join(', ')}`, `${inputPath}:1`);
      }
      const file = inputPath.replace(/^.*[\\/]/, '');
      const results = csv.rows.map((row) => mapper.mapRow({ layout: layout.structure, file, row: row.line, values: row.values }, setup.channel));
      const bundles = results.map((r) => r.bundle);
      return { output: results, bundles, ...(explainer ? { explained: bundles.map((b) => explainer.explain(b)) } : {}) };
    };
  },
};
