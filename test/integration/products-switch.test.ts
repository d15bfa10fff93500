import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createTestApp, signedUpClient, type TestApp } from '../helpers/test-app.js';

/** PRODUCTS=on|off (issue 20): the demo shop is there with zero configuration, and can be switched off entirely. */
describe('the products switch', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('is on by default: the shop answers and the session says so', async () => {
    t = await createTestApp();
    const client = await signedUpClient(t.app, 'freya@asgard.example');
    const products = await client.request({ method: 'GET', url: '/api/products' });
    expect(products.statusCode).toBe(200);
    expect((products.json() as { products: unknown[] }).products.length).toBeGreaterThanOrEqual(2);
    const purchase = await client.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' });
    expect(purchase.statusCode).toBe(201);
    const link = await client.request({ method: 'POST', url: '/api/downloads/mead-recipes/link', payload: {} });
    expect(link.statusCode).toBe(200);
    const file = await t.app.inject({ method: 'GET', url: (link.json() as { url: string }).url });
    expect(file.statusCode).toBe(200);
    const session = await client.request({ method: 'GET', url: '/api/session' });
    expect(session.json()).toMatchObject({ features: { products: true } });
    expect(loadConfig({ PRODUCTS: 'on' }).downloads.enabled).toBe(true);
  });

  it('off: every route of the shop is 404 not_found, the session says so, and OpenAPI lists none of them', async () => {
    t = await createTestApp({ PRODUCTS: 'off' });
    const client = await signedUpClient(t.app, 'freya@asgard.example');
    const answers = [
      await client.request({ method: 'GET', url: '/api/products' }),
      await client.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' }),
      await client.request({ method: 'POST', url: '/api/downloads/mead-recipes/link', payload: {} }),
      await t.app.inject({
        method: 'GET',
        url: '/downloads/mead-recipes?token=x',
        headers: { accept: 'application/json' },
      }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    const session = await client.request({ method: 'GET', url: '/api/session' });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ features: { products: false } });
    const openapi = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = Object.keys((openapi.json() as { paths: Record<string, unknown> }).paths);
    expect(paths.filter((path) => /products|downloads/.test(path))).toEqual([]);
    expect(paths).toContain('/api/session');
  });

  it('takes on or off and refuses anything else, naming the variable', () => {
    expect(loadConfig({ PRODUCTS: 'OFF' }).downloads.enabled).toBe(false);
    expect(loadConfig({ PRODUCTS: 'false' }).downloads.enabled).toBe(false);
    expect(() => loadConfig({ PRODUCTS: 'sometimes' })).toThrow(/PRODUCTS.*on or off/);
  });
});
