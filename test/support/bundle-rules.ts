/** The bundle rule checks live in src/conformance (the `junction test` command runs them too). */
export { checkBundle, findReferences } from '../../src/conformance/bundle-rules.js';
