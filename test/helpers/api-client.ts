import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { PASSWORD } from './test-app.js';

export interface TokenPairBody {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

/** An API client without cookies: holds an access and a refresh token, as a CLI or mobile app would. */
export class ApiClient {
  readonly #app: FastifyInstance;
  accessToken = '';
  refreshToken = '';

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  /** POST /api/tokens with credentials; keeps the pair on 200. */
  async signIn(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const response = await this.#app.inject({ method: 'POST', url: '/api/tokens', payload: { email, password } });
    if (response.statusCode === 200) this.keep(response.json() as TokenPairBody);
    return response;
  }

  async refresh(refreshToken = this.refreshToken): Promise<LightMyRequestResponse> {
    const response = await this.#app.inject({
      method: 'POST',
      url: '/api/tokens/refresh',
      payload: { refreshToken },
    });
    if (response.statusCode === 200) this.keep(response.json() as TokenPairBody);
    return response;
  }

  revoke(refreshToken = this.refreshToken): Promise<LightMyRequestResponse> {
    return this.#app.inject({ method: 'POST', url: '/api/tokens/revoke', payload: { refreshToken } });
  }

  /** A request with `Authorization: Bearer <access token>` (or the token given). */
  request(options: InjectOptions, accessToken = this.accessToken): Promise<LightMyRequestResponse> {
    return this.#app.inject({
      ...options,
      headers: { ...(options.headers as Record<string, string>), authorization: `Bearer ${accessToken}` },
    });
  }

  get(url: string, accessToken = this.accessToken): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url }, accessToken);
  }

  keep(pair: TokenPairBody): void {
    this.accessToken = pair.accessToken;
    this.refreshToken = pair.refreshToken;
  }
}

/** The code of an error answer. */
export function errorCode(response: LightMyRequestResponse): string | undefined {
  return (response.json() as { error?: { code?: string } }).error?.code;
}
