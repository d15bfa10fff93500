import { type Config, loadConfig } from '../../src/config/config.js';

/**
 * Config for tests: in-memory SQLite, silent logs, and cheap argon2 parameters (the production parameters are
 * exercised by the password unit tests and measured by the benchmarks).
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    HEIMDALL_SECRET: 'test-secret-test-secret-test-secret-0123',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_ITERATIONS: '1',
    // Suites register many accounts from one inject() address; the registration limit has its own tests.
    REGISTER_LIMIT_IP: '10000',
    ...env,
  });
  return config;
}
