import { type FhirError, notAcceptable } from './outcomes.js';

/** Media ranges this server can satisfy (it only speaks FHIR JSON). */
const JSON_RANGES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir', 'application/*', '*/*']);
const JSON_FORMATS = new Set(['json', 'application/fhir+json', 'application/json', 'application/json+fhir']);

interface MediaRange {
  readonly type: string;
  readonly q: number;
  readonly fhirVersion?: string;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [type = '', ...rawParams] = part.split(';').map((s) => s.trim());
      const params = new Map(
        rawParams.map((p) => {
          const eq = p.indexOf('=');
          return eq === -1 ? [p.toLowerCase(), ''] : [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()];
        }),
      );
      const q = params.has('q') ? Number(params.get('q')) : 1;
      const fhirVersion = params.get('fhirversion');
      return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0, ...(fhirVersion ? { fhirVersion } : {}) };
    });
}

function servable(range: MediaRange): boolean {
  if (range.q <= 0 || !JSON_RANGES.has(range.type)) return false;
  return range.fhirVersion === undefined || range.fhirVersion.startsWith('4.0');
}

/**
 * Undefined when the response can be FHIR JSON, otherwise the 406 to send.
 * `_format` wins over Accept, as FHIR specifies. A `+` sent unencoded in `_format` reads as a space.
 */
export function negotiateFormat(accept: string | undefined, format: string | undefined): FhirError | undefined {
  if (format !== undefined) {
    const normalised = format.trim().replace(/ /g, '+').toLowerCase();
    return JSON_FORMATS.has(normalised) ? undefined : notAcceptable(format);
  }
  if (accept === undefined || accept.trim() === '') return undefined;
  return parseAccept(accept).some(servable) ? undefined : notAcceptable(accept);
}
