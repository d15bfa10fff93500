import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { configProblems } from '../helpers/config-problems.js';

describe('operations settings', () => {
  it('serve no metrics and drain for a second by default', () => {
    const config = loadConfig({});
    expect(config.metricsToken).toBeNull();
    expect(config.shutdown).toEqual({ drainDelayMs: 1_000, timeoutMs: 30_000 });
  });

  it('take a metrics token of at least 32 characters, and nothing shorter', () => {
    expect(loadConfig({ METRICS_TOKEN: 'x'.repeat(32) }).metricsToken).toBe('x'.repeat(32));
    expect(configProblems({ METRICS_TOKEN: 'short' })).toEqual([
      'METRICS_TOKEN="short" is not valid: expected at least 32 characters (e.g. `openssl rand -base64 32`).',
    ]);
  });

  it('accept a zero drain delay, and bound both shutdown durations', () => {
    expect(loadConfig({ SHUTDOWN_DRAIN_DELAY: '0' }).shutdown.drainDelayMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_DELAY: '0s', SHUTDOWN_TIMEOUT: '2m' }).shutdown).toEqual({
      drainDelayMs: 0,
      timeoutMs: 120_000,
    });
    expect(configProblems({ SHUTDOWN_DRAIN_DELAY: '5m', SHUTDOWN_TIMEOUT: '1h' })).toEqual([
      'SHUTDOWN_DRAIN_DELAY="5m" is not valid: expected a duration from 0s to 60s.',
      'SHUTDOWN_TIMEOUT="1h" is not valid: expected a duration up to 10m.',
    ]);
  });
});
