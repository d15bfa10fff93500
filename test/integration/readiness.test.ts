import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('GET /api/ready', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  it('is 200 when the stores answer and the schema is current, never cached', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', sessions: 'ok', migrations: 'ok' },
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('is 503 while a migration is pending, or when it cannot tell', async () => {
    t.services.pendingMigrations = async () => ['0009-later'];
    const pending = await t.app.inject({ method: 'GET', url: '/api/ready' });
    expect(pending.statusCode).toBe(503);
    expect(pending.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', sessions: 'ok', migrations: 'pending' },
    });
    t.services.pendingMigrations = async () => {
      throw new Error('connection refused');
    };
    expect((await t.app.inject({ method: 'GET', url: '/api/ready' })).json().checks.migrations).toBe('unavailable');
  });

  it('is 503 when the database is unreachable', async () => {
    t.services.checkHealth = async () => ({ ok: false, checks: { database: 'unavailable', sessions: 'unavailable' } });
    const response = await t.app.inject({ method: 'GET', url: '/api/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json().checks.database).toBe('unavailable');
  });

  it('is 503 "draining" once shutdown has begun, while the rest of the API still answers', async () => {
    t.app.lifecycle.draining = true;
    const response = await t.app.inject({ method: 'GET', url: '/api/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'draining', checks: {} });
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });
});
