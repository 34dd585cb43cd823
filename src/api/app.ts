import express from 'express';
import type { Logger } from 'pino';
import type { RecordStore } from '../store/types.js';
import { adminRouteNotFound, messageLogEntry } from './admin.js';
import {
  type AdapterOptions,
  adapt,
  adaptJson,
  adaptJsonRequest,
  errorHandler,
  negotiation,
  notAllowed,
  notFound,
  requestBaseUrl,
  requireFormBody,
} from './express-adapter.js';
import { createAdminRouter, metricsHandler, type AdminDeps } from './admin/router.js';
import { readCapabilities } from './fhir/capability.js';
import { instanceOperation } from './fhir/everything.js';
import { instanceHistory, typeHistory, vreadResource } from './fhir/history.js';
import { readResource } from './fhir/read.js';
import { searchType } from './fhir/search.js';
import { type HealthProbe, healthResponse } from './health.js';
import type { SearchParameterCatalog } from './search-catalog.js';

export interface ApiDeps {
  readonly store: RecordStore;
  readonly searchParameters: SearchParameterCatalog;
  readonly health: HealthProbe;
  /** public FHIR base URL, e.g. `https://hie.example.org/fhir`; default: from each request's Host */
  readonly baseUrl?: string;
  readonly logger?: Logger;
  /** request body limit, in body-parser syntax; default `1mb` */
  readonly bodyLimit?: string;
  /** when the server started (CapabilityStatement date); default now */
  readonly startedAt?: Date;
  /** pipeline admin (/admin/queues, /admin/parked) and /metrics; absent: not served */
  readonly admin?: AdminDeps;
}

const FHIR_JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];

function fhirRouter(options: AdapterOptions): express.Router {
  const router = express.Router();
  const limit = options.bodyLimit;
  router.use(negotiation(options));
  // content type is checked before any body is read
  router.post('/:type/_search', requireFormBody(options));
  router.use(express.json({ type: FHIR_JSON_TYPES, limit }));
  router.use(express.text({ type: 'application/x-www-form-urlencoded', limit }));

  router.get('/metadata', adapt(readCapabilities, options));
  router.all('/metadata', notAllowed(['GET'], options));
  router.post('/:type/_search', adapt(searchType, options));
  router.all('/:type/_search', notAllowed(['POST'], options));
  router.get('/:type/_history', adapt(typeHistory, options));
  router.all('/:type/_history', notAllowed(['GET'], options));
  router.get('/:type', adapt(searchType, options));
  router.all('/:type', notAllowed(['GET'], options));
  router.get('/:type/:id', adapt(readResource, options));
  router.all('/:type/:id', notAllowed(['GET'], options));
  router.get('/:type/:id/_history', adapt(instanceHistory, options));
  router.all('/:type/:id/_history', notAllowed(['GET'], options));
  router.get('/:type/:id/_history/:vid', adapt(vreadResource, options));
  router.all('/:type/:id/_history/:vid', notAllowed(['GET'], options));
  router.get('/:type/:id/:operation', adapt(instanceOperation, options));
  router.use(notFound(options));
  router.use(errorHandler(options));
  return router;
}

/** The HTTP API: `/fhir` (FHIR R4 JSON) and `/healthz`. Listening is the caller's job. */
export function createApiApp(deps: ApiDeps): express.Express {
  const options: AdapterOptions = {
    context: {
      store: deps.store,
      searchParameters: deps.searchParameters,
      startedAt: deps.startedAt ?? new Date(),
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    },
    bodyLimit: deps.bodyLimit ?? '1mb',
    ...(deps.baseUrl === undefined ? {} : { baseUrl: deps.baseUrl }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  };
  const app = express();
  app.disable('x-powered-by');
  // ETags are set deliberately (read: the version id), never computed from bodies
  app.set('etag', false);
  app.get('/healthz', adaptJson(() => healthResponse(deps.health, deps.logger)));
  app.use('/fhir', fhirRouter(options));
  if (deps.admin) app.use('/admin', createAdminRouter(deps.admin));
  if (deps.admin?.metrics) app.get('/metrics', ...metricsHandler(deps.admin.metrics.registry, deps.admin.token));
  // Admin (JSON, not FHIR): behind the admin token (JUNCTION_ADMIN_TOKEN) when one is set, by the router above.
  const fhirBase = (req: express.Request) =>
    deps.baseUrl !== undefined ? requestBaseUrl(req, deps.baseUrl) : `${req.protocol}://${req.get('host') ?? 'localhost'}/fhir`;
  app.get(
    '/admin/messages/:id',
    adaptJsonRequest((req) => messageLogEntry(deps.store, String(req.params['id'] ?? ''), fhirBase(req)), deps.logger),
  );
  app.use('/admin', adaptJsonRequest(async (req) => adminRouteNotFound(req.method, req.originalUrl.split('?')[0] ?? '')));
  return app;
}
