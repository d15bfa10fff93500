/**
 * `heimdall-auth`: the Heimdall server as a library, for apps and test suites that start it from code. The request
 * middleware lives in its own entry points, `heimdall-auth/express` and `heimdall-auth/fastify`; the command is
 * `heimdall` (`npx heimdall --help`).
 *
 *     import { startServer } from 'heimdall-auth';
 *     const server = await startServer({ ...process.env, PORT: '3000' }); // the same variables as `npm start`
 *     await server.stop();                                                  // drains, then closes the stores
 */
export type { HeimdallOptions } from './app/embedded-heimdall.js';
export { type RunningServer, startServer } from './app/server.js';
export type { HeimdallContext } from './auth/assessment.js';
export type { AuthScheme } from './auth/request-authenticator.js';
export type { SessionView, UserView } from './auth/views.js';
export { type Config, ConfigError, loadConfig } from './config/config.js';
