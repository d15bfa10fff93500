import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/heimdall-process.js';
import { copyFreshClone, installOffline, packTarball } from '../helpers/package-install.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  files: string[];
};

/**
 * A consumer's code, type-checked under `strict`: it compiles only if the package exports the adapters with their
 * types, if guarded handlers see `req.heimdall` as non-null (with Express's and Fastify's own request and response
 * types), if unguarded ones do not, and if enumerations are exact unions. (`express`'s types are @types/express,
 * installed here with @types/oidc-provider.)
 */
const CONSUMER = `
import express, { type Request, type Response } from 'express';
import Fastify from 'fastify';
import { type HeimdallContext, heimdall as heimdallExpress } from 'heimdall-auth/express';
import { heimdall as heimdallFastify } from 'heimdall-auth/fastify';
import { type SessionView, startServer } from 'heimdall-auth';
import { ApiError, HeimdallClient, needsSecondFactor, type ApiErrorCode } from 'heimdall-auth/client';

const auth = await heimdallExpress<Request, Response>({ databaseUrl: 'sqlite:/srv/heimdall.db', secret: 'x'.repeat(32) });
const app = express();
app.use(auth);
app.get('/me', auth.requireSession((req, res) => res.json({ email: req.heimdall.user.email, q: req.query.q })));
app.get('/valhalla', auth.requireRole('god', (req, res) => res.json({ welcome: req.heimdall.user.email })));
app.post('/notes/:id', auth.requireSession(async (req, res) => {
  res.status(201).json({ id: req.params.id, by: req.heimdall.user.id });
}));
app.get('/hook', auth.requireSession(), (req, res) => res.json({ email: req.heimdall?.user.email }));
// @ts-expect-error outside a guard, req.heimdall may be null
app.get('/open', (req, res) => res.json({ email: req.heimdall.user.email }));

const fastify = Fastify();
await fastify.register(heimdallFastify, { databaseUrl: 'sqlite:/srv/heimdall.db', cookieName: '__Host-heimdall' });
fastify.get('/me', fastify.heimdall.requireSession(async (request) => request.heimdall.user.email));
fastify.get<{ Params: { id: string } }>(
  '/items/:id',
  fastify.heimdall.requireRole('god', async (request, reply) => reply.send({ id: request.params.id, by: request.heimdall.user.id })),
);
fastify.get('/valhalla', { preHandler: fastify.heimdall.requireRole('god') }, async (request) => request.heimdall?.user.email);
// @ts-expect-error outside a guard, request.heimdall may be null
fastify.get('/open', async (request) => request.heimdall.user.email);
// @ts-expect-error the user view carries no password hash
fastify.get('/leak', async (request) => request.heimdall?.user.passwordHash);

const kind: SessionView['kind'] = 'api';
// @ts-expect-error session.kind is an exact union, not a string
const unknownKind: SessionView['kind'] = 'magic';
const context: HeimdallContext | null = null;

// The browser client: answers typed from the server's schemas, errors by their code.
const client = new HeimdallClient({ baseUrl: 'https://auth.example.com' });
const answer = await client.login({ email: 'ann@example.com', password: 'correct horse battery staple' });
const signedIn = needsSecondFactor(answer) ? await client.submitSecondFactor({ totp: '123456' }) : answer;
const roles: string[] = signedIn.user.roles;
// @ts-expect-error the client's user carries no password hash either
const hash = signedIn.user.passwordHash;
const code: ApiErrorCode = 'reauthentication_required';
// @ts-expect-error error codes are an exact union
const unknownCode: ApiErrorCode = 'no_such_code';
const isApiError = (e: unknown) => e instanceof ApiError && e.code === code;
export { context, hash, isApiError, kind, roles, startServer, unknownCode, unknownKind };
`;

/** The ```ts blocks of the README's "Protecting your API routes". */
function readmeTypeScript(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Protecting your API routes'), readme.indexOf('## How fast'));
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Imports every entry point the package declares, by name, from `cwd`; prints what each exports. */
function importEveryEntryPoint(cwd: string, exportsMap: Record<string, unknown>): Record<string, string[]> {
  const specifiers = Object.keys(exportsMap).map((key) =>
    key === '.' ? manifest.name : `${manifest.name}${key.slice(1)}`,
  );
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(process.cwd() + '/');
    const found = {};
    for (const specifier of ${JSON.stringify(specifiers)}) {
      found[specifier] = Object.keys(specifier.endsWith('.json') ? require(specifier) : await import(specifier)).sort();
    }
    console.log(JSON.stringify(found));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, string[]>;
}

describe('the package: heimdall-auth, its entry points and its command', () => {
  it('is publishable under a free name, with honest engines and only what runs in its files', () => {
    expect(manifest.name).toBe('heimdall-auth');
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ heimdall: 'dist/cli/heimdall.js' });
    expect(manifest.files.every((f) => /^(dist|web\/dist|assets|README\.md|LICENSE)\b/.test(f))).toBe(true);
  });

  it('resolves every declared entry point at run time from the package name', () => {
    const found = importEveryEntryPoint(ROOT, manifest.exports);
    expect(found['heimdall-auth']).toEqual(expect.arrayContaining(['startServer', 'loadConfig', 'ConfigError']));
    expect(found['heimdall-auth/express']).toContain('heimdall');
    expect(found['heimdall-auth/fastify']).toEqual(['default', 'heimdall']);
    expect(found['heimdall-auth/package.json']).toContain('version');
    expect(found['heimdall-auth/client']).toEqual(
      expect.arrayContaining(['HeimdallClient', 'ApiError', 'openEventStream']),
    );
  });

  it("comes with types a strict TypeScript consumer can use: guards that narrow, exact unions, no hash; the README's snippets compile", () => {
    const dir = join(ROOT, '.tmp', `exports-check-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
      // The README's own snippets ("Protecting your API routes"), as printed: it says they compile under strict.
      const snippets = readmeTypeScript();
      expect(snippets).toHaveLength(2);
      snippets.forEach((code, i) => {
        writeFileSync(join(dir, `readme-${i}.ts`), `${code}\nexport {};\n`);
      });
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2023',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node'],
          },
          files: ['consumer.ts', ...snippets.map((_, i) => `readme-${i}.ts`)],
        }),
      );
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const run = () => execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
      expect(run).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('npm pack of a fresh clone, installed offline into an empty app', () => {
    const work = tempDir('heimdall-pack-');
    afterAll(() => work.remove());

    it('holds only what runs, installs with nothing downloaded, imports every entry point and runs `npx heimdall`', () => {
      const clone = join(work.dir, 'clone');
      copyFreshClone(clone);
      const { tarball, files } = packTarball(clone, work.dir);

      // What runs, and nothing else: no sources, tests, source maps or build caches.
      for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
        expect(files).toContain(needed);
      }
      for (const target of [manifest.bin.heimdall!, 'dist/adapters/express.js', 'dist/adapters/fastify.d.ts']) {
        expect(files).toContain(target);
      }
      expect(files).toContain('web/dist/index.html');
      expect(files.some((f) => f.startsWith('assets/downloads/'))).toBe(true);
      const stray = files.filter(
        (f) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts)|web\/dist\/.+|assets\/.+)$/.test(f),
      );
      expect(stray).toEqual([]);
      expect(files.filter((f) => /\.map$|tsbuildinfo|^src\/|^test\//.test(f))).toEqual([]);

      const app = join(work.dir, 'app');
      installOffline(app, tarball);
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', manifest.name, 'package.json'), 'utf8'));
      const found = importEveryEntryPoint(app, installed.exports);
      expect(Object.keys(found).sort()).toEqual(
        [
          'heimdall-auth',
          'heimdall-auth/client',
          'heimdall-auth/express',
          'heimdall-auth/fastify',
          'heimdall-auth/package.json',
        ].sort(),
      );
      expect(found['heimdall-auth/express']).toContain('heimdall');
      expect(found['heimdall-auth/fastify']).toContain('heimdall');

      const npx = (args: string[]) =>
        spawnSync('npx', ['--offline', '--no-install', 'heimdall', ...args], { cwd: app, encoding: 'utf8' });
      const version = npx(['--version']);
      expect(version.status).toBe(0);
      expect(version.stdout).toBe(`${manifest.version}\n`);
      const help = npx(['help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/Usage:[\s\S]*heimdall migrate/);
    }, 480_000);
  });
});
