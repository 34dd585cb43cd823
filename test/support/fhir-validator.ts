/** The R4 validator lives in src/conformance (the `junction test` command runs it too). */
export { loadR4Definitions, validateR4, type ValidateOptions } from '../../src/conformance/fhir-validator.js';
