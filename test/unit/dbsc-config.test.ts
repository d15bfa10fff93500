import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { configProblems } from '../helpers/config-problems.js';

describe('device-bound session settings', () => {
  it('are on with a ten-minute bound cookie by default', () => {
    expect(loadConfig({}).dbsc).toEqual({ enabled: true, cookieTtlMs: 600_000 });
  });

  it('take on/off and a cookie life of at least 5 s', () => {
    expect(loadConfig({ DBSC: 'off', DBSC_COOKIE_TTL: '5s' }).dbsc).toEqual({ enabled: false, cookieTtlMs: 5_000 });
    expect(loadConfig({ DBSC: 'on', DBSC_COOKIE_TTL: '1h' }).dbsc).toEqual({ enabled: true, cookieTtlMs: 3_600_000 });
  });

  it('refuse anything else, one line each', () => {
    expect(configProblems({ DBSC: 'true', DBSC_COOKIE_TTL: '4s' })).toEqual([
      'DBSC="true" is not valid: expected on or off.',
      'DBSC_COOKIE_TTL="4s" is not valid: expected a duration of at least 5s (e.g. 10m).',
    ]);
  });
});
