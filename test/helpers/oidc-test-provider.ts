import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** An account at the test provider; tests may change its claims between sign-ins. */
export interface ProviderUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  users: ProviderUser[];
}

/** A real OpenID provider (oidc-provider) on a loopback port. */
export interface TestProvider {
  issuer: string;
  users: Map<string, ProviderUser>;
  /** The key the provider signs ID tokens with, for tests that forge tokens "the provider could have signed". */
  signingKey: SigningKey;
  signingKid: string;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider with one confidential client, the given users, and a minimal interaction handler instead of a
 * login page: `POST /interaction/:uid/login` with `login=<sub>` signs that user in, `POST /interaction/:uid/abort`
 * declines. Consent is granted automatically for the one first-party client.
 */
export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const users = new Map(options.users.map((u) => [u.sub, { ...u }]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKid = `key-${issuer.split(':').at(-1)}`;
  const jwk = { ...(await exportJWK(privateKey)), kid: signingKid, alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 300, Grant: 600, IdToken: 300, Interaction: 600, Session: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      return user ? { accountId: sub, claims: async () => ({ ...user }) } : undefined;
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      handleInteraction(provider, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    } else {
      handle(req, res);
    }
  });

  return {
    issuer,
    users,
    signingKey: privateKey,
    signingKid,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (req.url?.endsWith('/abort')) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'declined' });
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: form.get('login') ?? '' } },
    { mergeWithLastSubmission: false },
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
