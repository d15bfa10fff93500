import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeimdallProcess, ROOT, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { CookieClient, send } from '../helpers/https-client.js';
import { freeLoopbackPort, makeSelfSignedCertificate, type NginxServer, startNginx } from '../helpers/nginx-server.js';

const SECRET = 'nginx-test-secret-nginx-test-secret-0123456';

/** The ```nginx block of docs/deploy/nginx.md: the test runs exactly what the page documents. */
function documentedConfig(): string {
  const page = readFileSync(join(ROOT, 'docs/deploy/nginx.md'), 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(page)?.[1];
  if (!block) throw new Error('docs/deploy/nginx.md has no ```nginx block');
  return block;
}

/** Replaces each documented value with the test's; a value that is no longer in the page fails loudly. */
function substitute(config: string, replacements: [string, string][]): string {
  let result = config;
  for (const [from, to] of replacements) {
    if (!result.includes(from)) throw new Error(`docs/deploy/nginx.md no longer contains "${from}"`);
    result = result.split(from).join(to);
  }
  return result;
}

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The protected app: records what reaches it and says so. */
function startUpstream(seen: SeenRequest[]): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reached: true }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('nginx in front of Heimdall and of a protected app (docs/deploy/nginx.md, real nginx)', () => {
  const dir = tempDir('heimdall-nginx-');
  const seen: SeenRequest[] = [];
  let upstream: Server;
  let heimdall: HeimdallProcess;
  let nginx: NginxServer;
  let base: string;
  let httpPort: number;
  let ca: Buffer;
  let admin: CookieClient;
  let odin: CookieClient;
  let odinId: string;

  beforeAll(async () => {
    const tls = makeSelfSignedCertificate(dir.dir);
    ca = tls.pem;
    const httpsPort = await freeLoopbackPort();
    httpPort = await freeLoopbackPort();
    base = `https://127.0.0.1:${httpsPort}`;
    upstream = await startUpstream(seen);
    heimdall = await startHeimdallProcess(
      {
        DATABASE_URL: `sqlite:${join(dir.dir, 'heimdall.db')}`,
        HEIMDALL_SECRET: SECRET,
        HOST: '127.0.0.1',
        TRUST_PROXY: '127.0.0.1',
        HEIMDALL_PUBLIC_URL: base,
        HEIMDALL_GEOIP: 'false',
      },
      dir.dir,
    );
    const config = substitute(documentedConfig(), [
      ['listen 80;', `listen 127.0.0.1:${httpPort};`],
      ['listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`],
      ['server 127.0.0.1:3000;', `server 127.0.0.1:${heimdall.port};`],
      ['server 127.0.0.1:8080;', `server 127.0.0.1:${(upstream.address() as AddressInfo).port};`],
      ['/etc/nginx/tls/auth.example.com.crt', tls.cert],
      ['/etc/nginx/tls/auth.example.com.key', tls.key],
    ]);
    nginx = await startNginx(join(dir.dir, 'nginx'), config, httpsPort);

    admin = new CookieClient(base, { ca });
    expect(
      (
        await admin.request('/api/auth/register', {
          method: 'POST',
          body: { email: 'borr@asgard.example', password: 'correct horse battery staple' },
        })
      ).status,
    ).toBe(201);
    // Odin connects from 127.0.0.2: only X-Forwarded-For can tell Heimdall so, since nginx connects from 127.0.0.1.
    odin = new CookieClient(base, { ca, localAddress: '127.0.0.2' });
    const registered = await odin.request('/api/auth/register', {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: 'correct horse battery staple' },
    });
    expect(registered.status, registered.body).toBe(201);
    odinId = registered.json<{ user: { id: string } }>().user.id;
  });

  afterAll(async () => {
    await nginx?.stop();
    await heimdall?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
    dir.remove();
  });

  /** Runs `act` and returns what reached the upstream meanwhile. */
  async function reaching(act: () => Promise<unknown>): Promise<SeenRequest[]> {
    const before = seen.length;
    await act();
    return seen.slice(before);
  }

  const setOdinRoles = (roles: string[]) =>
    admin.request(`/api/admin/users/${odinId}/roles`, { method: 'PUT', body: { roles } });

  it('terminates TLS, redirects plain HTTP, and Heimdall sees the real client and scheme through TRUST_PROXY', async () => {
    const health = await send(`${base}/api/health`, { ca });
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=/);
    const plain = await send(`http://127.0.0.1:${httpPort}/api/health`);
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toMatch(/^https:\/\//);
    const session = (await odin.request('/api/session')).json<{ session: { ip: string } }>();
    expect(session.session.ip).toBe('127.0.0.2');
  });

  it('the upstream sees the identity headers of a cookie session, never the ones a client forged', async () => {
    const sessionId = (await odin.request('/api/session')).json<{ session: { id: string } }>().session.id;
    const [request, ...rest] = await reaching(async () => {
      const answer = await odin.request('/app/hello', {
        headers: { 'x-auth-roles': 'god', 'x-auth-user-id': 'someone-else' },
      });
      expect(answer.status).toBe(200);
    });
    expect(rest).toHaveLength(0);
    expect(request!.headers['x-auth-user-id']).toBe(odinId);
    expect(request!.headers['x-auth-user-email']).toBe('odin@asgard.example');
    expect(request!.headers['x-auth-roles']).toBe('user');
    expect(request!.headers['x-auth-session-id']).toBe(sessionId);
  });

  it('a Bearer access token gets through too, with the identity of its user', async () => {
    const issued = await send(`${base}/api/tokens`, {
      ca,
      method: 'POST',
      body: { email: 'odin@asgard.example', password: 'correct horse battery staple' },
    });
    expect(issued.status).toBe(200);
    const { accessToken } = issued.json<{ accessToken: string }>();
    const [request] = await reaching(async () => {
      const answer = await send(`${base}/app/api/items`, { ca, headers: { authorization: `Bearer ${accessToken}` } });
      expect(answer.status).toBe(200);
    });
    expect(request!.headers['x-auth-user-id']).toBe(odinId);
  });

  it('anonymous requests and forged identity headers never reach the upstream; /auth/verify is not public', async () => {
    const reached = await reaching(async () => {
      expect((await send(`${base}/app/hello`, { ca })).status).toBe(401);
      const forged = await send(`${base}/app/hello`, {
        ca,
        headers: { 'x-auth-user-id': odinId, 'x-auth-roles': 'god', cookie: '__Host-heimdall=forged-cookie-value' },
      });
      expect(forged.status).toBe(401);
      expect((await send(`${base}/app/hello`, { ca, headers: { authorization: 'Bearer forged' } })).status).toBe(401);
    });
    expect(reached).toHaveLength(0);
    expect((await odin.request('/auth/verify')).status).toBe(404);
    expect((await send(`${base}/metrics`, { ca })).status).toBe(404);
  });

  it('an unsafe request needs the CSRF token and our origin before it reaches the upstream', async () => {
    const refused = await reaching(async () => {
      expect((await odin.request('/app/things', { method: 'POST', body: { n: 1 }, csrf: false })).status).toBe(403);
      const foreign = await odin.request('/app/things', {
        method: 'DELETE',
        headers: { origin: 'https://evil.example' },
      });
      expect(foreign.status).toBe(403);
    });
    expect(refused).toHaveLength(0);
    const [request] = await reaching(async () => {
      expect((await odin.request('/app/things', { method: 'POST', body: { n: 2 } })).status).toBe(200);
    });
    expect(request!.method).toBe('POST');
    expect(JSON.parse(request!.body)).toEqual({ n: 2 });
  });

  it('serves the web app at / and streams live push (GET /api/events) through nginx unbuffered', async () => {
    const page = await send(`${base}/`, { ca, headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    let text = '';
    const waiters = new Set<() => void>();
    const stream = httpsRequest(`${base}/api/events`, { ca, headers: { cookie: `__Host-heimdall=${odin.cookie}` } });
    stream.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const waiter of [...waiters]) waiter();
      });
    });
    stream.end();
    const received = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no ${pattern} in: ${text}`)), 5_000);
        const check = () => {
          if (!pattern.test(text)) return;
          clearTimeout(deadline);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    try {
      await received(/: connected/);
      const sent = await admin.request(`/api/admin/users/${odinId}/messages`, {
        method: 'POST',
        body: { text: 'Ravens at the gate' },
      });
      expect(sent.json()).toEqual({ delivered: 1 });
      // nginx hands the event over at once: a buffering proxy would hold it back.
      await received(/event: message\ndata: .*Ravens at the gate/);
    } finally {
      stream.destroy();
    }
  });

  it('a demoted user is refused at once, and a revoked or signed-out session never reaches the upstream', async () => {
    expect((await odin.request('/app/valhalla/hall')).status).toBe(403);
    expect((await setOdinRoles(['user', 'god'])).status).toBe(200);
    const [entered] = await reaching(async () => {
      expect((await odin.request('/app/valhalla/hall')).status).toBe(200);
    });
    expect(String(entered!.headers['x-auth-roles']).split(',').sort()).toEqual(['god', 'user']);
    expect((await setOdinRoles(['user'])).status).toBe(200);
    const afterDemotion = await reaching(async () => {
      expect((await odin.request('/app/valhalla/hall')).status).toBe(403);
    });
    expect(afterDemotion).toHaveLength(0);

    // Revoked by an administrator: the very next proxied request is refused.
    const phone = new CookieClient(base, { ca });
    await phone.request('/api/auth/login', {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: 'correct horse battery staple' },
    });
    expect((await phone.request('/app/hello')).status).toBe(200);
    expect((await admin.request(`/api/admin/users/${odinId}/sessions`, { method: 'DELETE' })).status).toBe(200);
    const stolen = odin.cookie;
    const afterRevocation = await reaching(async () => {
      expect((await phone.request('/app/hello')).status).toBe(401);
      expect((await odin.request('/app/hello')).status).toBe(401);
    });
    expect(afterRevocation).toHaveLength(0);

    // Signed out by the user: the old cookie is dead for the app too.
    const again = new CookieClient(base, { ca });
    await again.request('/api/auth/login', {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: 'correct horse battery staple' },
    });
    const cookie = again.cookie;
    expect((await again.request('/api/auth/logout', { method: 'POST' })).status).toBe(204);
    const replayed = await reaching(async () => {
      for (const old of [cookie, stolen]) {
        const answer = await send(`${base}/app/hello`, { ca, headers: { cookie: `__Host-heimdall=${old}` } });
        expect(answer.status).toBe(401);
      }
    });
    expect(replayed).toHaveLength(0);
    expect(nginx.errors()).not.toMatch(/\[(emerg|crit|alert)\]/);
  });
});
