import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Suites use real Redis, PostgreSQL, Chromium and nginx. Missing Debian packages are installed here (apt-get, as
 * root) before any test runs, so no suite is ever skipped for want of a server.
 */
export default function setup(): void {
  const script = fileURLToPath(new URL('../scripts/services.sh', import.meta.url));
  const services = (process.env.HEIMDALL_TEST_SERVICES ?? 'redis postgres chromium nginx').split(/\s+/).filter(Boolean);
  execFileSync('bash', [script, 'install', ...services], { stdio: 'inherit' });
}
