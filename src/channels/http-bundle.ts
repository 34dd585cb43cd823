/**
 * GP Connect bundles over HTTP: `POST /channels/<id>/bundle` with a FHIR JSON body. The sender is authenticated
 * (the channel's bearer token) before any of the body is read; then the content type and size are checked, the
 * JSON parsed and its envelope validated. The answer is 202 with an OperationOutcome naming the message id only
 * once the bundle is durable (stage `inbound`); anything wrong is a 4xx OperationOutcome saying what and how to
 * fix it, 503 when the engine cannot take it now.
 */
import { timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { JunctionMetrics } from '../observability/metrics.js';
import type { RecordIntake } from '../pipeline/record-intake.js';

export interface HttpBundleChannel {
  readonly id: string;
  readonly token: string;
  readonly maxBodyBytes: number;
}

export interface HttpBundleOptions {
  readonly channels: readonly HttpBundleChannel[];
  readonly intake: RecordIntake;
  readonly logger: Logger;
  /** bundles refused here, after authentication and before intake (415, 413, 400, 422), count as received and failed */
  readonly metrics?: JunctionMetrics;
}

type IssueCode = 'security' | 'not-found' | 'not-supported' | 'too-long' | 'structure' | 'invalid' | 'processing' | 'transient' | 'informational';

function outcome(severity: 'error' | 'information', code: IssueCode, diagnostics: string): Record<string, unknown> {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

function send(res: express.Response, status: number, body: Record<string, unknown>): void {
  res.status(status).type('application/fhir+json').send(JSON.stringify(body));
}

const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];

/** The envelope of a GP Connect structured record (STU3): what intake relies on. The resources are the mapping's business. */
const envelopeSchema = z.looseObject({
  resourceType: z.literal('Bundle', { error: 'resourceType must be Bundle' }),
  type: z.string({ error: 'type is missing (a structured record is a collection)' }),
  meta: z.looseObject({ lastUpdated: z.iso.datetime({ offset: true, error: 'meta.lastUpdated must be an instant with a time zone' }).optional() }).optional(),
  entry: z
    .array(z.looseObject({ resource: z.looseObject({ resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/, 'resourceType must be a FHIR resource type') }) }), {
      error: 'entry must be a list of { resource }',
    })
    .min(1, 'the bundle has no entries'),
}).refine((b) => b.entry.some((e) => e.resource.resourceType === 'Patient'), { message: 'the bundle has no Patient: a GP Connect structured record holds the patient it is about', path: ['entry'] });

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The router for `/channels`; mount it on the HTTP app. */
export function createHttpBundleRouter(options: HttpBundleOptions): express.Router {
  const byId = new Map(options.channels.map((c) => [c.id, c]));
  const parsers = new Map(options.channels.map((c) => [c.id, express.text({ type: JSON_TYPES, limit: c.maxBodyBytes })]));
  const log = options.logger.child({ transport: 'http' });
  const router = express.Router();
  const refused = (channelId: string): void => {
    options.metrics?.received.inc({ channel: channelId });
    options.metrics?.failed.inc({ channel: channelId, where: 'intake' });
  };

  router.post('/:id/bundle', (req, res, next) => {
    const channel = byId.get(String(req.params['id']));
    if (channel === undefined) return send(res, 404, outcome('error', 'not-found', `there is no HTTP channel ${String(req.params['id'])}: check the URL against junction.yaml`));
    const auth = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (match === null || !tokenMatches(match[1] as string, channel.token)) {
      res.set('WWW-Authenticate', 'Bearer');
      return send(res, 401, outcome('error', 'security', 'authenticate with Authorization: Bearer <the channel token>'));
    }
    if (!req.is(JSON_TYPES)) {
      refused(channel.id);
      return send(res, 415, outcome('error', 'not-supported', 'send the bundle as Content-Type: application/fhir+json'));
    }
    const declared = Number(req.get('content-length') ?? '0');
    if (declared > channel.maxBodyBytes) {
      refused(channel.id);
      return send(res, 413, outcome('error', 'too-long', `the bundle is larger than this channel accepts (${channel.maxBodyBytes} bytes)`));
    }
    (parsers.get(channel.id) as express.RequestHandler)(req, res, next);
  });

  router.post('/:id/bundle', async (req, res) => {
    const id = String(req.params['id']);
    const raw = typeof req.body === 'string' ? req.body : '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      refused(id);
      return send(res, 400, outcome('error', 'structure', `the body is not JSON: ${(err as Error).message}`));
    }
    const envelope = envelopeSchema.safeParse(parsed);
    if (!envelope.success) {
      const text = envelope.error.issues.map((i) => `${i.path.length > 0 ? `Bundle.${i.path.join('.')}` : 'Bundle'}: ${i.message}`).join('; ');
      refused(id);
      return send(res, 422, outcome('error', 'invalid', text));
    }
    const result = await options.intake.submitBundle(id, raw, parsed);
    if (result.outcome === 'accepted') {
      res.set('X-Junction-Message-Id', result.messageId);
      const warnings = result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}: ${result.warnings.join('; ')})` : '';
      return send(res, 202, outcome('information', 'informational', `accepted: message ${result.messageId}${warnings}`));
    }
    if (result.outcome === 'rejected') return send(res, 422, outcome('error', 'processing', result.reason));
    res.set('Retry-After', '30');
    return send(res, 503, outcome('error', 'transient', result.reason));
  });

  router.all('/:id/bundle', (_req, res) => {
    res.set('Allow', 'POST');
    send(res, 405, outcome('error', 'not-supported', 'POST the bundle to this URL'));
  });

  // errors of the body parser (too large, bad encoding): never an HTML page, never a crash
  router.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (err.type === 'entity.too.large') return send(res, 413, outcome('error', 'too-long', 'the bundle is larger than this channel accepts'));
    log.warn({ err: err.message }, 'bad GP Connect request');
    send(res, err.status !== undefined && err.status < 500 ? err.status : 400, outcome('error', 'structure', `the request could not be read: ${err.message}`));
  });
  return router;
}
