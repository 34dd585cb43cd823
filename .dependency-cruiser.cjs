/**
 * The layering of DESIGN.md, checked on every `npm test`:
 *   channels → pipeline → mapping / store → api ; hl7v2, config, observability are leaves.
 *   conformance (R4 rule checks) and golden (fixtures) are used by cli/ and tests only.
 * Each rule names a layer and what it may NOT import. main.ts and cli/ are the composition root.
 */
const layer = (name) => `^src/${name}/`;
const forbid = (from, to, comment) => ({
  name: `${from}-not-to-${to.replace(/[^a-z]+/g, '-')}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: `^src/(${to})/` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles make layers meaningless', from: {}, to: { circular: true } },
    { name: 'no-orphans-in-src', severity: 'warn', from: { orphan: true, path: '^src/', pathNot: ['\\.d\\.ts$', '^src/main\\.ts$', '^src/cli/main\\.ts$'] }, to: {} },
    forbid('hl7v2', 'config|observability|channels|pipeline|mapping|store|governance|api|cli', 'hl7v2 is a leaf'),
    forbid('config', 'hl7v2|observability|channels|pipeline|mapping|store|governance|api|cli', 'config is a leaf'),
    forbid('observability', 'hl7v2|channels|pipeline|mapping|store|governance|api|cli', 'observability is a leaf (it may read config types)'),
    forbid('mapping', 'channels|pipeline|store|governance|api|cli', 'mapping is pure: it knows messages and FHIR, nothing downstream'),
    forbid('conformance', 'hl7v2|config|observability|channels|pipeline|mapping|store|governance|api|cli|golden', 'FHIR rule checks know FHIR only'),
    forbid('golden', 'pipeline|store|governance|api|cli', 'golden fixtures run the mapping (and the channels\' pure readers, e.g. CSV) and the rule checks, nothing downstream'),
    {
      name: 'engine-not-to-conformance-golden',
      comment: 'the R4 definitions (~40 MB) are for tests and `junction test`, never the message path',
      severity: 'error',
      from: { path: '^src/(channels|pipeline|mapping|store|governance|api|engine\\.ts|main\\.ts)' },
      to: { path: '^src/(conformance|golden)/' },
    },
    forbid('store', 'channels|pipeline|api|cli', 'the store is below the pipeline and the API'),
    forbid('governance', 'channels|pipeline|mapping|api|cli', 'governance policies are consulted by store and api'),
    forbid('pipeline', 'channels|api|cli', 'the pipeline never calls back into channels or the API'),
    forbid('channels', 'store|api|cli', 'channels hand messages to the pipeline only'),
    forbid('api', 'channels|cli', 'the API reads the store; it does not ingest'),
    {
      name: 'no-src-to-test',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
