import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { FHIR_JSON, type FhirHandler, type FhirRequest, type HandlerContext, type RequestParam } from './handler-types.js';
import { negotiateFormat } from './negotiation.js';
import { errorToResponse, methodNotAllowed, routeNotFound, unsupportedMediaType } from './outcomes.js';
import { requireResourceType } from './fhir/resource-types.js';

/** The only module that knows about Express: requests in, handler results and outcomes out. */

export interface AdapterOptions {
  readonly context: HandlerContext;
  /** configured FHIR base URL; when absent it is built from the request's protocol and Host */
  readonly baseUrl?: string;
  /** body size limit as given to the body parsers, e.g. `1mb` (used in the 413 message) */
  readonly bodyLimit: string;
  readonly logger?: Logger;
}

const FORM = 'application/x-www-form-urlencoded';

export function requestBaseUrl(req: Request, configured: string | undefined): string {
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

function rawQuery(req: Request): string {
  const mark = req.originalUrl.indexOf('?');
  return mark === -1 ? '' : req.originalUrl.slice(mark + 1);
}

function queryParams(req: Request): RequestParam[] {
  return [...new URLSearchParams(rawQuery(req)).entries()];
}

function formParams(req: Request): RequestParam[] {
  return typeof req.body === 'string' && req.is(FORM) ? [...new URLSearchParams(req.body).entries()] : [];
}

export function toFhirRequest(req: Request, configuredBaseUrl: string | undefined): FhirRequest {
  const { type, id, vid, operation } = (req.params ?? {}) as { type?: string; id?: string; vid?: string; operation?: string };
  return {
    method: req.method,
    ...(type === undefined ? {} : { resourceType: type }),
    ...(id === undefined ? {} : { id }),
    ...(vid === undefined ? {} : { versionId: vid }),
    ...(operation === undefined ? {} : { operation }),
    params: [...queryParams(req), ...formParams(req)],
    baseUrl: requestBaseUrl(req, configuredBaseUrl),
  };
}

function sendFhir(res: Response, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.status(status).set(headers).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
}

export function sendError(error: unknown, req: Request, res: Response, options: AdapterOptions): void {
  const response = errorToResponse(error, options.bodyLimit);
  if (response.internal) {
    const err = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
    // no URL or parameters in the log: they can carry patient identifiers
    options.logger?.error({ err, method: req.method, route: req.route?.path }, 'FHIR request failed');
  } else {
    options.logger?.debug({ status: response.status, method: req.method, route: req.route?.path }, 'FHIR request refused');
  }
  sendFhir(res, response.status, response.outcome, response.headers);
}

/** Run a FHIR handler for an Express route. */
export function adapt(handler: FhirHandler, options: AdapterOptions): RequestHandler {
  return async (req, res) => {
    try {
      const result = await handler(toFhirRequest(req, options.baseUrl), options.context);
      sendFhir(res, result.status, result.resource, result.headers);
    } catch (error) {
      sendError(error, req, res, options);
    }
  };
}

/** 406 unless the client accepts FHIR JSON (Accept header or `_format`). */
export function negotiation(options: AdapterOptions): RequestHandler {
  return (req, res, next) => {
    const format = new URLSearchParams(rawQuery(req)).get('_format') ?? undefined;
    const refusal = negotiateFormat(req.get('accept'), format);
    if (refusal === undefined) next();
    else sendError(refusal, req, res, options);
  };
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/** 415 unless a request body, if any, is form data. Runs before any body is parsed. */
export function requireFormBody(options: AdapterOptions): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req) || req.is(FORM)) next();
    else sendError(unsupportedMediaType(req.get('content-type') ?? '(none)', FORM), req, res, options);
  };
}

/** 405 with an Allow header, after checking the resource type (an unknown type is a 404). */
export function notAllowed(allowed: readonly string[], options: AdapterOptions): RequestHandler {
  return (req, res) => {
    try {
      const { type } = req.params as { type?: string };
      if (type !== undefined) requireResourceType(type);
      throw methodNotAllowed(req.method, allowed);
    } catch (error) {
      sendError(error, req, res, options);
    }
  };
}

export function notFound(options: AdapterOptions): RequestHandler {
  return (req, res) => sendError(routeNotFound(req.method, req.originalUrl.split('?')[0] ?? ''), req, res, options);
}

/** Errors raised by middleware (body parsers included) become OperationOutcomes. */
export function errorHandler(options: AdapterOptions): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    sendError(error, req, res, options);
  };
}

/** Plain JSON (not FHIR) endpoints such as /healthz. */
export function adaptJson(run: () => Promise<{ status: number; body: unknown }>): RequestHandler {
  return async (_req, res) => {
    const { status, body } = await run();
    res.status(status).set('Cache-Control', 'no-store').json(body);
  };
}

/** Plain JSON endpoints that read the request (e.g. /admin). A throw is a 500 whose details stay in the log. */
export function adaptJsonRequest(
  run: (req: Request) => Promise<{ status: number; body: unknown }>,
  logger?: Logger,
): RequestHandler {
  return async (req, res) => {
    try {
      const { status, body } = await run(req);
      res.status(status).set('Cache-Control', 'no-store').json(body);
    } catch (error) {
      const err = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
      logger?.error({ err, method: req.method, route: req.route?.path }, 'admin request failed');
      res.status(500).set('Cache-Control', 'no-store').json({ error: 'internal', message: 'Internal server error; the details are in the server log' });
    }
  };
}
