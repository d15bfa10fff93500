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

/** A request that passed a guard: `req.heimdall` is the signed-in user and session, never null. */
export type SignedInRequest<Req = ExpressLikeRequest> = Req & { heimdall: HeimdallContext };

/** A route handler behind a guard, typed with the framework's own request and response (inferred from the route). */
export type SignedInHandler<Req, Res> = (req: SignedInRequest<Req>, res: Res, next: NextFunction) => unknown;

/**
 * `app.use(auth)`: sets `req.heimdall` to `{ user, session, scheme, csrfToken }` or null; never refuses by itself.
 * `Req` and `Res` are the framework's request and response types (Express: `heimdall<Request, Response>()`), which
 * guarded handlers receive; TypeScript cannot infer them from `app.get`'s own generic signature.
 */
export interface HeimdallMiddleware<
  Req extends ExpressLikeRequest = ExpressLikeRequest,
  Res extends ServerResponse = ServerResponse,
> extends Middleware {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe request failing the CSRF rules. */
  requireSession(): Middleware;
  /**
   * The guard and the handler in one: the handler runs only for a signed-in request, and its `req.heimdall` is typed
   * non-null (`req.heimdall.user.email` compiles under `strict`).
   */
  requireSession<R extends Req = Req, S extends Res = Res>(
    handler: SignedInHandler<R, S>,
  ): (req: R, res: S, next: NextFunction) => void;
  /** As requireSession, then 403 `forbidden` unless the user holds the role, read from the database this request. */
  requireRole(role: string): Middleware;
  /** As requireSession(handler), for holders of the role. */
  requireRole<R extends Req = Req, S extends Res = Res>(
    role: string,
    handler: SignedInHandler<R, S>,
  ): (req: R, res: S, next: NextFunction) => void;
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
 *     const auth = await heimdall({ databaseUrl, secret }); // or DATABASE_URL, HEIMDALL_SECRET… from process.env
 *     app.use(auth);
 *     app.get('/valhalla', auth.requireRole('god', (req, res) => res.json({ welcome: req.heimdall.user.email })));
 */
export async function heimdall<
  Req extends ExpressLikeRequest = ExpressLikeRequest,
  Res extends ServerResponse = ServerResponse,
>(options: HeimdallOptions = {}): Promise<HeimdallMiddleware<Req, Res>> {
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

  /** The guard, then the handler; a rejected promise from an async handler goes to `next` as Express 5 does. */
  const guarded =
    (role: string | undefined, handler: SignedInHandler<ExpressLikeRequest, ServerResponse>): Middleware =>
    (req, res, next) => {
      guard(role)(req, res, (error?: unknown) => {
        if (error !== undefined) return next(error);
        try {
          Promise.resolve(handler(req as SignedInRequest, res, next)).catch(next);
        } catch (thrown) {
          next(thrown);
        }
      });
    };

  const middleware: Middleware = (req, res, next) => {
    assessOnce(req, res).then(() => next(), next);
  };
  const requireSession = (handler?: SignedInHandler<ExpressLikeRequest, ServerResponse>) =>
    handler ? guarded(undefined, handler) : guard();
  const requireRole = (role: string, handler?: SignedInHandler<ExpressLikeRequest, ServerResponse>) =>
    handler ? guarded(role, handler) : guard(role);
  return Object.assign(middleware, {
    requireSession: requireSession as HeimdallMiddleware<Req, Res>['requireSession'],
    requireRole: requireRole as HeimdallMiddleware<Req, Res>['requireRole'],
    heimdall: embedded,
    close: () => embedded.close(),
  });
}
