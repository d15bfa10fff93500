import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmbeddedHeimdall, type HeimdallOptions, openEmbeddedHeimdall } from '../app/embedded-heimdall.js';
import {
  type Assessment,
  assess,
  clearedCookie,
  errorBody,
  type HeimdallContext,
  judge,
  toHeimdallContext,
} from '../auth/assessment.js';
import type { RequestFacts } from '../auth/request-facts.js';

export type { HeimdallOptions } from '../app/embedded-heimdall.js';
export type { HeimdallContext } from '../auth/assessment.js';

declare global {
  // Express declares its Request in this namespace; this merges `heimdall` into it for apps that use @types/express.
  namespace Express {
    interface Request {
      heimdall?: HeimdallContext | null;
    }
  }
}

/** The parts of an Express request this uses (plain Node requests work too). */
export interface ExpressLikeRequest extends IncomingMessage {
  /** Express: the client address, through the app's `trust proxy` setting. */
  ip?: string | undefined;
  /** Express: `http` or `https`, through `trust proxy`. */
  protocol?: string;
  /** Express 5: host and port, through `trust proxy`. */
  host?: string;
  heimdall?: HeimdallContext | null;
}

export type NextFunction = (error?: unknown) => void;
export type Middleware = (req: ExpressLikeRequest, res: ServerResponse, next: NextFunction) => void;

/** `app.use(auth)`: sets `req.heimdall` to `{ user, session, scheme, csrfToken }` or null; never refuses by itself. */
export interface HeimdallMiddleware extends Middleware {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe request failing the CSRF rules. */
  requireSession(): Middleware;
  /** As requireSession, then 403 `forbidden` unless the user holds the role, read from the database this request. */
  requireRole(role: string): Middleware;
  readonly heimdall: EmbeddedHeimdall;
  /** Closes the stores this middleware opened (not those passed in as `services`). */
  close(): Promise<void>;
}

const ASSESSMENT = Symbol('heimdall.assessment');
type AssessedRequest = ExpressLikeRequest & { [ASSESSMENT]?: Promise<Assessment> };

function factsOf(req: ExpressLikeRequest): RequestFacts {
  const host = req.host ?? req.headers.host ?? '';
  const protocol = req.protocol ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  return {
    method: req.method ?? 'GET',
    headers: req.headers,
    ip: req.ip ?? req.socket.remoteAddress ?? '',
    ownOrigin: `${protocol}://${host}`.toLowerCase(),
  };
}

function refuse(res: ServerResponse, status: number, body: string, challenge: string | null): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  if (challenge) res.setHeader('www-authenticate', challenge);
  res.end(body);
}

/**
 * Express middleware that validates the Heimdall session cookie or Bearer token against Heimdall's own stores, with
 * Heimdall's CSRF rules: on an unsafe request that fails them, `req.heimdall` stays null, so a route that forgets a
 * guard still cannot be driven by a forged request.
 *
 *     const auth = await heimdall();               // reads DATABASE_URL, HEIMDALL_SECRET… from process.env
 *     app.use(auth);
 *     app.get('/valhalla', auth.requireRole('god'), (req, res) => res.json({ welcome: req.heimdall.user.email }));
 */
export async function heimdall(options: HeimdallOptions = {}): Promise<HeimdallMiddleware> {
  const embedded = await openEmbeddedHeimdall(options);
  const { authenticator, config } = embedded;

  const assessOnce = (req: AssessedRequest, res: ServerResponse): Promise<Assessment> => {
    req[ASSESSMENT] ??= assess(authenticator, factsOf(req)).then((assessment) => {
      const { verdict } = assessment;
      req.heimdall = verdict.ok ? toHeimdallContext(verdict) : null;
      if (!verdict.ok && verdict.staleCookie && !res.headersSent) res.appendHeader('set-cookie', clearedCookie(config));
      return assessment;
    });
    return req[ASSESSMENT];
  };

  const guard =
    (role?: string): Middleware =>
    (req, res, next) => {
      assessOnce(req, res).then((assessment) => {
        const verdict = judge(authenticator, assessment, role);
        if (verdict.ok) return next();
        refuse(res, verdict.error.status, errorBody(verdict), verdict.challenge);
      }, next);
    };

  const middleware: Middleware = (req, res, next) => {
    assessOnce(req, res).then(() => next(), next);
  };
  return Object.assign(middleware, {
    requireSession: () => guard(),
    requireRole: (role: string) => guard(role),
    heimdall: embedded,
    close: () => embedded.close(),
  });
}
