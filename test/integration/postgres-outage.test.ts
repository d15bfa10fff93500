import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseOutage } from '../../src/stores/sql/sql-outage.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

describe('PostgreSQL going away', () => {
  let postgres: PostgresServer;
  let app: TestApp;

  beforeAll(async () => {
    postgres = await PostgresServer.start();
    app = await createTestApp({ DATABASE_URL: await postgres.createDatabase() });
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await postgres?.stop();
  });

  it('answers 503 service_unavailable (never 500, never 401) while the database is down, health says so, and the dropped pool connections do not crash the process', async () => {
    const client = await signedUpClient(app.app, 'pg-outage@example.test');
    expect((await client.get('/api/session')).statusCode).toBe(200);
    await postgres.stop();
    const session = await client.get('/api/session');
    expect(session.statusCode).toBe(503);
    expect(session.json().error.code).toBe('service_unavailable');
    const login = await new TestClient(app.app).login('pg-outage@example.test');
    expect(login.statusCode).toBe(503);
    const health = await client.get('/api/health');
    expect(health.statusCode).toBe(503);
    expect(health.json().checks.database).toBe('unavailable');
  });

  it('tells outages from ordinary query errors', () => {
    expect(isDatabaseOutage(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseOutage(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseOutage(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseOutage(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
  });
});
