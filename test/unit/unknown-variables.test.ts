import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.js';
import {
  findUnknownVariables,
  levenshtein,
  loadConfigWithWarnings,
  readConfigRecordingNames,
} from '../../src/config/unknown-variables.js';

/** Every variable the configuration reader asks for, recorded as it reads an environment. */
function knownNames(env: Record<string, string> = {}): Set<string> {
  const known = new Set<string>();
  readConfigRecordingNames(env, known);
  return known;
}

describe('variables that look like Heimdall’s but are not read', () => {
  it('knows every name the reader asks for without a list: recorded as they are read', () => {
    const known = knownNames();
    for (const name of ['PORT', 'DATABASE_URL', 'HEIMDALL_SECRET', 'SESSION_IDLE_TIMEOUT', 'REDIS_WAIT_REPLICAS']) {
      expect(known).toContain(name);
    }
    expect(knownNames({ OIDC_GOOGLE_ISSUER: 'https://accounts.google.com', OIDC_GOOGLE_CLIENT_ID: 'x' })).toContain(
      'OIDC_GOOGLE_CLIENT_SECRET',
    );
  });

  it('measures the edit distance between names', () => {
    expect(levenshtein('HEIMDAL_SECRET', 'HEIMDALL_SECRET')).toBe(1);
    expect(levenshtein('SESION_IDLE_TIMEOUT', 'SESSION_IDLE_TIMEOUT')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
  });

  it('warns of misspelt names and unknown names with a Heimdall prefix, each with the nearest known name', () => {
    const env = {
      HEIMDAL_SECRET: 'x'.repeat(40),
      SESION_IDLE_TIMEOUT: '5m',
      DATABSE_URL: 'sqlite:x.db',
      SMTP_HOSTNAME: 'mail.example',
      REDIS_HOST: 'redis.internal',
      // Not Heimdall's: other software's, or too far from any of Heimdall's names.
      SESSION_MANAGER: 'local/unix',
      NODE_ENV: 'production',
      HOME: '/root',
      PGPASSWORD: 'x',
      PORT: '3000',
    };
    const { warnings } = loadConfigWithWarnings(env);
    expect(warnings).toEqual([
      'DATABSE_URL is set but Heimdall reads no such variable: did you mean DATABASE_URL? (docs/configuration.md lists them all)',
      expect.stringMatching(/^HEIMDAL_SECRET is set .*did you mean HEIMDALL_SECRET\?/),
      expect.stringMatching(/^REDIS_HOST is set .*did you mean REDIS_URL\?/),
      expect.stringMatching(/^SESION_IDLE_TIMEOUT is set .*did you mean SESSION_IDLE_TIMEOUT\?/),
      expect.stringMatching(/^SMTP_HOSTNAME is set .*did you mean /),
    ]);
  });

  it("in an embedding app's shared environment, warns only of likely typos and HEIMDALL_ names", () => {
    const env = { REDIS_HOST: 'redis.internal', LOG_FORMAT: 'json', HEIMDALL_SECRETS: 'x', SESION_IDLE_TIMEOUT: '5m' };
    const unknown = findUnknownVariables(env, knownNames(), { everyPrefixed: false }).map((u) => u.name);
    expect(unknown).toEqual(['HEIMDALL_SECRETS', 'SESION_IDLE_TIMEOUT']);
  });

  it('adds the warnings to a refused configuration, since a misspelt name often explains it', () => {
    let error: unknown;
    try {
      loadConfigWithWarnings({ PORT: 'http', SESION_IDLE_TIMEOUT: '5m' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT="http" is not valid: expected a port number 0-65535.',
      expect.stringMatching(/^\(SESION_IDLE_TIMEOUT is set .*did you mean SESSION_IDLE_TIMEOUT\?/),
    ]);
  });
});
