/**
 * Rule checks over mapped FHIR R4 bundles (valid R4 against the base StructureDefinitions, required
 * bindings, unique ids, resolvable references, no empty elements). Used by `junction test` and the
 * golden tests. Loads ~40 MB of R4 definitions on first use: never imported by the engine's message path.
 */
export { checkBundle, findReferences } from './bundle-rules.js';
export { loadR4Definitions, validateR4, type ValidateOptions } from './fhir-validator.js';
export { findEmptyValues } from './empty-values.js';
