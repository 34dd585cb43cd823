import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * The one place where errors become OperationOutcomes with an HTTP status.
 * Handlers throw `FhirError`s built by the functions below; anything else is a 500 whose
 * details stay in the server log and never reach the client.
 */

export type IssueCode = 'invalid' | 'not-found' | 'not-supported' | 'too-long' | 'exception' | 'structure';

export interface ParameterProblem {
  /** the parameter as the client sent it, including any `:modifier` */
  readonly param: string;
  readonly message: string;
}

export class FhirError extends Error {
  override readonly name = 'FhirError';
  constructor(
    readonly status: number,
    readonly issues: readonly OperationOutcomeIssue[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(issues.map((issue) => issue.diagnostics ?? issue.code).join('; '));
  }
}

export interface ErrorResponse {
  readonly status: number;
  readonly outcome: OperationOutcome;
  readonly headers: Readonly<Record<string, string>>;
}

const MAX_ECHO = 80;

/** Echo client input in a diagnostic without letting it grow without bound. */
export function quote(text: string): string {
  const shown = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
  return `'${shown}'`;
}

export function operationOutcome(issues: readonly OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [...issues] };
}

function issue(code: IssueCode, diagnostics: string, expression?: string): OperationOutcomeIssue {
  const severity = code === 'exception' ? 'fatal' : 'error';
  return expression === undefined ? { severity, code, diagnostics } : { severity, code, diagnostics, expression: [expression] };
}

/** 400: one issue per offending parameter, each naming it in `expression` and `diagnostics`. */
export function invalidParameters(problems: readonly ParameterProblem[], kind = 'Search parameter'): FhirError {
  return new FhirError(
    400,
    problems.map((p) => issue('invalid', `${kind} ${quote(p.param)}: ${p.message}`, p.param)),
  );
}

export function versionNotFound(resourceType: string, id: string, versionId: string): FhirError {
  return new FhirError(404, [issue('not-found', `${resourceType}/${id} has no version ${quote(versionId)}`)]);
}

export function operationNotSupported(operation: string, resourceType: string): FhirError {
  return new FhirError(404, [
    issue('not-supported', `Operation ${quote(operation)} is not supported on ${resourceType}; supported: $everything on Patient`),
  ]);
}

export function invalidId(id: string): FhirError {
  return new FhirError(400, [
    issue('invalid', `Id ${quote(id)} is not a valid FHIR id: use 1 to 64 of A-Z a-z 0-9 - .`),
  ]);
}

export function unknownResourceType(resourceType: string, supported: readonly string[]): FhirError {
  return new FhirError(404, [
    issue('not-supported', `Resource type ${quote(resourceType)} is not served here; supported: ${supported.join(', ')}`),
  ]);
}

export function resourceNotFound(resourceType: string, id: string): FhirError {
  return new FhirError(404, [issue('not-found', `${resourceType}/${id} was not found`)]);
}

export function routeNotFound(method: string, path: string): FhirError {
  return new FhirError(404, [issue('not-found', `No FHIR interaction at ${method} ${quote(path)}`)]);
}

export function methodNotAllowed(method: string, allowed: readonly string[]): FhirError {
  return new FhirError(
    405,
    [issue('not-supported', `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}`)],
    { Allow: allowed.join(', ') },
  );
}

export function notAcceptable(requested: string): FhirError {
  return new FhirError(406, [
    issue('not-supported', `Cannot respond with ${quote(requested)}: this server returns application/fhir+json only`),
  ]);
}

export function unsupportedMediaType(received: string, expected: string): FhirError {
  return new FhirError(415, [
    issue('not-supported', `Content-Type ${quote(received)} is not accepted here; send ${expected}`),
  ]);
}

export function payloadTooLarge(limit: string): FhirError {
  return new FhirError(413, [issue('too-long', `Request body is larger than the limit of ${limit}`)]);
}

export function malformedBody(): FhirError {
  return new FhirError(400, [issue('structure', 'Request body is not valid JSON or form data')]);
}

export function internalError(): FhirError {
  return new FhirError(500, [issue('exception', 'Internal server error; the details are in the server log')]);
}

/**
 * The store rejects search input it cannot read with a StoreError whose code says why. The API
 * validates first, so reaching this means the two disagree; the client still gets a 400, not a 500.
 * Matched by shape, so the API does not import the store's internals.
 */
const STORE_INPUT_ERRORS = new Set(['invalid-date', 'invalid-reference', 'invalid-paging', 'invalid-sort', 'invalid-include']);

function storeInputError(error: object): FhirError | undefined {
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name !== 'StoreError' || typeof code !== 'string' || !STORE_INPUT_ERRORS.has(code)) return undefined;
  return new FhirError(400, [issue('invalid', typeof message === 'string' ? message : code)]);
}

/** Errors raised by Express's body parsers carry a `type` string. */
function bodyParserError(error: unknown, bodyLimit: string): FhirError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  switch ((error as { type?: unknown }).type) {
    case 'entity.parse.failed':
    case 'request.aborted':
    case 'request.size.invalid':
      return malformedBody();
    case 'entity.too.large':
    case 'parameters.too.many':
      return payloadTooLarge(bodyLimit);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new FhirError(415, [issue('not-supported', 'Request body encoding or charset is not supported; send UTF-8')]);
    default:
      return storeInputError(error) ?? clientStatusError(error);
  }
}

/** Other errors Express raises for a bad request (e.g. a path it cannot percent-decode) carry a 4xx status. */
function clientStatusError(error: object): FhirError | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return new FhirError(status, [issue('invalid', 'The request could not be read; check its URL encoding and body')]);
}

/**
 * Turn anything thrown into the response to send. `internal` is true when the error was not a
 * client's fault and should be logged.
 */
export function errorToResponse(error: unknown, bodyLimit = 'the configured size'): ErrorResponse & { internal: boolean } {
  const known = error instanceof FhirError ? error : bodyParserError(error, bodyLimit);
  const fhirError = known ?? internalError();
  return {
    status: fhirError.status,
    outcome: operationOutcome(fhirError.issues),
    headers: fhirError.headers,
    internal: known === undefined,
  };
}
