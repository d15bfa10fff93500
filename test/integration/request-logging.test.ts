import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app/build-services.js';
import { buildApp } from '../../src/http/app.js';
import { loggerOptions } from '../../src/http/logger-options.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testConfig } from '../helpers/test-config.js';

interface Line {
  msg: string;
  reqId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

/** Builds the app at LOG_LEVEL=info with the given environment, answers one GET, and returns the lines logged. */
async function linesForOneRequest(env: Record<string, string>): Promise<{ lines: Line[]; requestId: string }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  const config = testConfig({ LOG_LEVEL: 'info', ...env });
  const services = await buildServices(config, { clock: new FakeClock() });
  const app = await buildApp(services, config, { logger: pino(loggerOptions('info') as object, sink) });
  closers.push(async () => {
    await app.close();
    await services.close();
  });
  const response = await app.inject({ method: 'GET', url: '/api/health?token=secret-value' });
  expect(response.statusCode).toBe(200);
  return { lines, requestId: String(response.headers['x-request-id']) };
}

const closers: Array<() => Promise<void>> = [];

describe('LOG_REQUESTS', () => {
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('is off by default: an answered request writes no log line at info', async () => {
    const { lines } = await linesForOneRequest({});
    expect(lines.filter((l) => l.reqId !== undefined)).toEqual([]);
  });

  it('on, logs the request as it comes in and as it is answered, under the id sent back, with the URL redacted', async () => {
    const { lines, requestId } = await linesForOneRequest({ LOG_REQUESTS: 'true' });
    const mine = lines.filter((l) => l.reqId === requestId);
    expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(mine[0]?.req).toMatchObject({ method: 'GET', url: '/api/health?token=[redacted]' });
    expect(mine[1]?.res?.statusCode).toBe(200);
  });

  it('refuses a value that is not true or false', async () => {
    expect(() => testConfig({ LOG_REQUESTS: 'yes please' })).toThrow(/LOG_REQUESTS/);
  });
});
