/** Junction's mapping language: load YAML mapping files once, map HL7 v2 messages to FHIR R4 bundles. */
export { loadMappingSet, type LoadOptions } from './loader.js';
export type { ExplainedElement, Provenance } from './explain.js';
export { createMapper, type MapperOptions } from './mapper.js';
export type { MappingSet } from './mapping-set.js';
export { MappingLoadError, type LoadProblem } from './problems.js';
export { isValidNhsNumber, personKey, NHS_NUMBER_SYSTEM } from './identity.js';
export { hashId } from './hash-id.js';
export { TRANSFORM_NAMES, describeTransforms } from './transforms.js';
export {
  MappingError,
  type ChannelContext,
  type LabelAssignment,
  type MapResult,
  type Mapper,
  type PreserveRule,
  type UnmappedItem,
} from './types.js';
