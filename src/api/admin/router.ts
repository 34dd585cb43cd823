/**
 * Express adaptation of the pipeline admin handlers (queues.ts) and of GET /metrics.
 * With a token configured, every route needs `Authorization: Bearer <token>`, checked before anything else.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from '../../observability/metrics.js';
import { parkedList, queuesReport, resendParked, type JsonReply, type PipelineAdminDeps } from './queues.js';

export interface AdminDeps extends PipelineAdminDeps {
  /** when set, requests must carry `Authorization: Bearer <token>` */
  readonly token?: string;
  readonly logger?: Logger;
  /** GET /admin/mappings: the loaded mapping versions and the last reload error (absent: not served) */
  readonly mappings?: () => unknown;
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function requireToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined || tokenMatches(req.get('authorization'), token)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'send Authorization: Bearer <admin token>' });
  };
}

function json(run: (req: Request) => Promise<JsonReply>, logger: Logger | undefined): RequestHandler {
  return async (req, res) => {
    try {
      const { status, body } = await run(req);
      res.status(status).set('Cache-Control', 'no-store').json(body);
    } catch (error) {
      logger?.error({ err: error instanceof Error ? error.message : String(error), route: req.route?.path }, 'admin request failed');
      res.status(500).set('Cache-Control', 'no-store').json({ error: 'internal', message: 'internal error; the details are in the server log' });
    }
  };
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/** Routes under /admin: queues, parked, resend, mappings. Requests for other paths pass on (next()). */
export function createAdminRouter(deps: AdminDeps): express.Router {
  const router = express.Router();
  router.use(requireToken(deps.token));
  router.get('/queues', json(() => queuesReport(deps), deps.logger));
  router.get('/parked', json((req) => parkedList(deps, { stage: queryString(req, 'stage'), limit: queryString(req, 'limit') }), deps.logger));
  const mappings = deps.mappings;
  if (mappings) router.get('/mappings', json(async () => ({ status: 200, body: mappings() }), deps.logger));
  router.post('/parked/:id/resend', json((req) => resendParked(deps, String(req.params['id'] ?? '')), deps.logger));
  return router;
}

/** GET /metrics in the Prometheus text format. */
export function metricsHandler(registry: MetricsRegistry, token?: string): RequestHandler[] {
  return [
    requireToken(token),
    async (_req, res) => {
      res.status(200).set('Content-Type', PROMETHEUS_CONTENT_TYPE).set('Cache-Control', 'no-store').send(await registry.render());
    },
  ];
}
