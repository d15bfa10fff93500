import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_DOWNLOADS_DIR } from '../../src/config/config.js';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

const FREYA = 'freya@asgard.example';
const BALDR = 'baldr@asgard.example';

interface Link {
  url: string;
  expiresAt: string;
}

describe('demo catalogue and signed download links', () => {
  let t: TestApp;
  let freya: TestClient;

  beforeEach(async () => {
    t = await createTestApp();
    freya = await signedUpClient(t.app, FREYA);
  });

  afterEach(async () => {
    await t.close();
  });

  async function buyAndLink(client: TestClient, productId: string, body?: object) {
    await client.request({ method: 'POST', url: `/api/products/${productId}/purchase` });
    const response = await client.request({
      method: 'POST',
      url: `/api/downloads/${productId}/link`,
      ...(body ? { payload: body } : {}),
    });
    expect(response.statusCode).toBe(200);
    return response.json() as Link;
  }

  it('lists the two sample products with zero configuration, for a session only', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/products' })).statusCode).toBe(401);
    const response = await freya.get('/api/products');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      products: [
        expect.objectContaining({ id: 'bifrost-map', price: 12.99, currency: 'EUR', purchased: false }),
        expect.objectContaining({ id: 'mead-recipes', price: 4.99, currency: 'EUR', purchased: false }),
      ],
    });
  });

  it('records a purchase once: 201 the first time, the same purchase with 200 after', async () => {
    const first = await freya.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' });
    expect(first.statusCode).toBe(201);
    const again = await freya.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const products = (await freya.get('/api/products')).json() as { products: { id: string; purchased: boolean }[] };
    expect(products.products.find((p) => p.id === 'mead-recipes')?.purchased).toBe(true);
    expect((await freya.request({ method: 'POST', url: '/api/products/nope/purchase' })).statusCode).toBe(404);
  });

  it('purchases need the CSRF token with a cookie, and work with Bearer', async () => {
    const noCsrf = await freya.request({ method: 'POST', url: '/api/products/mead-recipes/purchase', csrf: false });
    expect(errorCode(noCsrf)).toBe('csrf_failed');
    const api = new ApiClient(t.app);
    await api.signIn(FREYA);
    expect((await api.request({ method: 'POST', url: '/api/products/bifrost-map/purchase' })).statusCode).toBe(201);
    expect((await api.request({ method: 'POST', url: '/api/downloads/bifrost-map/link' })).statusCode).toBe(200);
  });

  it('gives links only to purchasers (403), and 404 for unknown products', async () => {
    const none = await freya.request({ method: 'POST', url: '/api/downloads/mead-recipes/link' });
    expect(none.statusCode).toBe(403);
    expect(errorCode(none)).toBe('forbidden');
    expect((await freya.request({ method: 'POST', url: '/api/downloads/nope/link' })).statusCode).toBe(404);
  });

  it('signs a download JWT for the product and user, 15 minutes by default', async () => {
    const link = await buyAndLink(freya, 'mead-recipes');
    expect(link.url).toMatch(/^\/downloads\/mead-recipes\?token=[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(Date.parse(link.expiresAt)).toBe(t.clock.now() + 900_000);
    const token = new URL(link.url, 'http://x').searchParams.get('token')!;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'download+jwt' });
    const freyaId = (await t.services.users.findByEmail(FREYA))!.id;
    expect(decodeJwt(token)).toMatchObject({ aud: 'download', sub: freyaId, pid: 'mead-recipes' });
  });

  it('takes ttlSeconds from 1 to 7200 and answers 400 outside that range', async () => {
    const longest = await buyAndLink(freya, 'mead-recipes', { ttlSeconds: 7200 });
    expect(Date.parse(longest.expiresAt)).toBe(t.clock.now() + 7_200_000);
    for (const payload of [{ ttlSeconds: 7201 }, { ttlSeconds: 0 }, { ttlSeconds: 1.5 }, { ttl: 60 }]) {
      const response = await freya.request({ method: 'POST', url: '/api/downloads/mead-recipes/link', payload });
      expect(response.statusCode).toBe(400);
    }
  });

  it('streams the file to anyone holding the link, without a cookie, as an attachment that is never cached', async () => {
    const link = await buyAndLink(freya, 'mead-recipes');
    const response = await t.app.inject({ method: 'GET', url: link.url });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload).toEqual(readFileSync(join(BUNDLED_DOWNLOADS_DIR, 'mead-recipes.txt')));
    expect(response.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="mead-recipes.txt"; filename*=UTF-8''mead-recipes.txt`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    const png = await t.app.inject({ method: 'GET', url: (await buyAndLink(freya, 'bifrost-map')).url });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload).toEqual(readFileSync(join(BUNDLED_DOWNLOADS_DIR, 'bifrost-map.png')));
  });

  it('refuses a link for another product, a tampered or missing token, and an expired one', async () => {
    const link = await buyAndLink(freya, 'mead-recipes');
    const token = new URL(link.url, 'http://x').searchParams.get('token')!;
    const other = await t.app.inject({ method: 'GET', url: `/downloads/bifrost-map?token=${token}` });
    expect([other.statusCode, errorCode(other)]).toEqual([401, 'unauthenticated']);
    // The payload re-pointed at the other product, the signature kept.
    const [header, , signature] = token.split('.');
    const swapped = Buffer.from(JSON.stringify({ ...decodeJwt(token), pid: 'bifrost-map' })).toString('base64url');
    const tampered = await t.app.inject({
      method: 'GET',
      url: `/downloads/bifrost-map?token=${header}.${swapped}.${signature}`,
    });
    expect(tampered.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/downloads/mead-recipes' })).statusCode).toBe(401);
    t.clock.advance(900_000 + 4_000);
    expect((await t.app.inject({ method: 'GET', url: link.url })).statusCode).toBe(200);
    t.clock.advance(2_000);
    const expired = await t.app.inject({ method: 'GET', url: link.url });
    expect([expired.statusCode, errorCode(expired)]).toEqual([401, 'token_expired']);
    expect(expired.headers['cache-control']).toBe('no-store');
  });

  it("refuses another user's link for a product that user never bought", async () => {
    const baldr = await signedUpClient(t.app, BALDR);
    expect((await baldr.request({ method: 'POST', url: '/api/downloads/mead-recipes/link' })).statusCode).toBe(403);
  });
});

describe('HEIMDALL_DOWNLOADS_DIR', () => {
  let dir: string;
  let t: TestApp;

  afterEach(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves product files from the configured directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-downloads-'));
    writeFileSync(join(dir, 'mead-recipes.txt'), 'the local edition\n');
    t = await createTestApp({ HEIMDALL_DOWNLOADS_DIR: dir });
    const freya = await signedUpClient(t.app, FREYA);
    await freya.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' });
    const link = (await freya.request({ method: 'POST', url: '/api/downloads/mead-recipes/link' })).json() as Link;
    expect((await t.app.inject({ method: 'GET', url: link.url })).body).toBe('the local edition\n');
    // A product whose file is missing there is a 404, not a 500.
    await freya.request({ method: 'POST', url: '/api/products/bifrost-map/purchase' });
    const missing = (await freya.request({ method: 'POST', url: '/api/downloads/bifrost-map/link' })).json() as Link;
    expect((await t.app.inject({ method: 'GET', url: missing.url })).statusCode).toBe(404);
  });
});

describe('the built server with zero configuration', () => {
  it('serves the bundled sample files through a signed link, over real HTTP, without a cookie', async () => {
    const dir = tempDir();
    // The country database is irrelevant here and slow to load on a busy machine. Request logs on: the link's
    // token must show redacted in them.
    const server = await startHeimdallProcess({ HEIMDALL_GEOIP: 'false', LOG_REQUESTS: 'true' }, dir.dir);
    try {
      const post = (path: string, body?: object, token?: string) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: {
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      const credentials = { email: FREYA, password: 'a long enough passphrase' };
      expect((await post('/api/auth/register', credentials)).status).toBe(201);
      const { accessToken } = (await (await post('/api/tokens', credentials)).json()) as { accessToken: string };
      expect((await post('/api/products/bifrost-map/purchase', undefined, accessToken)).status).toBe(201);
      const link = (await (await post('/api/downloads/bifrost-map/link', undefined, accessToken)).json()) as Link;
      const file = await fetch(`${server.url}${link.url}`);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer())).toEqual(
        readFileSync(join(BUNDLED_DOWNLOADS_DIR, 'bifrost-map.png')),
      );
      expect(server.output()).toMatch(/token=\[redacted\]/);
      const token = new URL(link.url, server.url).searchParams.get('token');
      expect(token).toBeTruthy();
      expect(server.output()).not.toContain(token);
    } finally {
      expect(await server.stop()).toBe(0);
      dir.remove();
    }
  }, 90_000);
});
