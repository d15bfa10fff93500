import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/heimdall-process.js';

/** A consumer's code: it type-checks only if the package exports the adapters with their types. */
const CONSUMER = `
import Fastify from 'fastify';
import { type HeimdallContext, heimdall as heimdallExpress } from 'heimdall/express';
import { heimdall as heimdallFastify } from 'heimdall/fastify';

const app = Fastify();
await app.register(heimdallFastify, { env: { DATABASE_URL: 'sqlite:./data/heimdall.db' } });
app.get('/valhalla', { preHandler: app.heimdall.requireRole('god') }, async (request) => request.heimdall?.user.email);
// @ts-expect-error the user view carries no password hash
app.get('/leak', async (request) => request.heimdall?.user.passwordHash);

const auth = await heimdallExpress();
const guard = auth.requireRole('god');
const context: HeimdallContext | null = null;
export { context, guard };
`;

describe('package exports: heimdall/express and heimdall/fastify', () => {
  it('resolve at run time from the package name', () => {
    const script =
      "const [e, f] = await Promise.all([import('heimdall/express'), import('heimdall/fastify')]);" +
      'console.log(typeof e.heimdall, typeof f.heimdall, typeof f.default);';
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('function function function');
  });

  it("come with types a TypeScript consumer can use (and that hide the user's hash)", () => {
    const dir = join(ROOT, '.tmp', `exports-check-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
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
          files: ['consumer.ts'],
        }),
      );
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const run = () => execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
      expect(run).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
