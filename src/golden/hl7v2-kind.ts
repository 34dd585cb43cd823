/** HL7 v2 fixtures: `<name>.hl7` holds one message (CR or LF between segments), mapped with the HL7 v2 mapping files. */
import { readFileSync } from 'node:fs';
import { bytesToText, parseMessage } from '../hl7v2/index.js';
import { createMapper, loadMappingSet } from '../mapping/index.js';
import type { FixtureKind } from './types.js';

export const hl7v2Fixtures: FixtureKind = {
  name: 'hl7v2',
  extensions: ['.hl7'],
  prepare(setup) {
    const set = loadMappingSet(setup.mappingsDir, setup.overlayDirs, { explain: setup.explain === true });
    const mapper = createMapper(set, { clock: () => new Date('2000-01-01T00:00:00Z') });
    const explainer = set.explainer;
    return (inputPath) => {
      const result = mapper.map(parseMessage(bytesToText(readFileSync(inputPath))), setup.channel);
      return { output: result, bundles: [result.bundle], ...(explainer ? { explained: [explainer.explain(result.bundle)] } : {}) };
    };
  },
};
