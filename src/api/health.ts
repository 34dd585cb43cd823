import type { Logger } from 'pino';

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: Record<string, string>;
}

export type HealthProbe = () => Promise<HealthReport>;

export interface HealthResponse {
  readonly status: 200 | 503;
  readonly body: { readonly status: 'ok' | 'unavailable'; readonly checks: Record<string, string> };
}

/** GET /healthz: 200 when every check passes, 503 otherwise; a probe that throws counts as down. */
export async function healthResponse(probe: HealthProbe, logger?: Logger): Promise<HealthResponse> {
  try {
    const report = await probe();
    return report.ok
      ? { status: 200, body: { status: 'ok', checks: report.checks } }
      : { status: 503, body: { status: 'unavailable', checks: report.checks } };
  } catch (error) {
    logger?.error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, 'health probe failed');
    return { status: 503, body: { status: 'unavailable', checks: { probe: 'failed' } } };
  }
}
