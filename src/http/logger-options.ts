import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config/config.js';

/** Query parameters whose values are credentials (signed links, OAuth codes and states). */
const SECRET_QUERY_KEYS = /([?&](?:token|code|state|refreshToken|access_token|id_token)=)[^&#]*/gi;

/** The request line for logs, with credential-bearing query values replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_KEYS, '$1[redacted]');
}

/**
 * pino options: request logs carry method, redacted URL, client address and request id, never headers; any header,
 * cookie or body that reaches a log line through an error object is censored by path.
 */
export function loggerOptions(level: LogLevel): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.currentPassword',
        '*.newPassword',
        '*.refreshToken',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: FastifyRequest) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}
