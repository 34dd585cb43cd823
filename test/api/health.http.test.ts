import { describe, expect, it } from 'vitest';
import { json, startApi } from './support/server.js';

describe('GET /healthz', () => {
  it('answers 200 with the checks when healthy', async () => {
    const api = await startApi([], { health: async () => ({ ok: true, checks: { store: 'ok', transport: 'ok' } }) });
    try {
      const response = await api.fetch('/healthz');
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({ status: 'ok', checks: { store: 'ok', transport: 'ok' } });
    } finally {
      await api.close();
    }
  });

  it('answers 503 with the checks when not', async () => {
    const api = await startApi([], { health: async () => ({ ok: false, checks: { store: 'ok', transport: 'down' } }) });
    try {
      const response = await api.fetch('/healthz');
      expect(response.status).toBe(503);
      expect(await json(response)).toEqual({ status: 'unavailable', checks: { store: 'ok', transport: 'down' } });
    } finally {
      await api.close();
    }
  });

  it('answers 503 when the probe itself fails, without its message', async () => {
    const api = await startApi([], {
      health: async () => {
        throw new Error('password authentication failed for user junction');
      },
    });
    try {
      const response = await api.fetch('/healthz');
      expect(response.status).toBe(503);
      const body = await response.text();
      expect(body).not.toContain('password');
      expect(JSON.parse(body).status).toBe('unavailable');
    } finally {
      await api.close();
    }
  });
});
