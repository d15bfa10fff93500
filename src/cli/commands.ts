import { parseArgs } from 'node:util';
import type { Services } from '../app/build-services.js';
import { migrateDatabase, openHeimdall } from '../app/open-heimdall.js';
import { HeimdallError } from '../core/errors.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../core/signing-key.js';
import { ADMIN_ROLE } from '../core/user-service.js';
import { formatKeyTable } from './key-table.js';
import { readPassword } from './read-password.js';

export interface CommandIo {
  env: Record<string, string | undefined>;
  /** Results, on stdout. */
  out: (line: string) => void;
  /** What the command did on the way (which database it opened, warnings), on stderr, away from results. */
  note: (line: string) => void;
  readPassword: () => Promise<string>;
}

export interface Command {
  /** Words that select it, e.g. ['user', 'add']. */
  path: string[];
  usage: string;
  run(args: string[], io: CommandIo): Promise<void>;
}

export const defaultIo: CommandIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  note: (line) => process.stderr.write(`heimdall: ${line}\n`),
  readPassword: () => readPassword(),
};

async function withServices<T>(io: CommandIo, work: (services: Services) => Promise<T>): Promise<T> {
  const { services } = await openHeimdall(io.env, { warn: (warning) => io.note(`warning: ${warning}`) });
  // Which database and stores: a command run with the wrong settings shows it before it reports anything.
  io.note(`opened ${services.storesDescription}`);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

async function requireUserByEmail(services: Services, email: string) {
  const user = await services.users.findByEmail(email);
  if (!user) throw new HeimdallError('not_found', `No user with email ${email}.`);
  return user;
}

export const COMMANDS: Command[] = [
  {
    path: ['start'],
    usage: 'heimdall start                      run the server (same as npm start)',
    async run() {
      const { runServer } = await import('../app/server.js');
      await runServer();
    },
  },
  {
    path: ['migrate'],
    usage: 'heimdall migrate [--create]         bring the schema up to date (--create: make a new database)',
    async run(args, io) {
      const { values } = parseArgs({ args, options: { create: { type: 'boolean', default: false } } });
      const { description, applied } = await migrateDatabase(io.env, {
        create: values.create,
        warn: (warning) => io.note(`warning: ${warning}`),
      });
      io.out(`Database: ${description}`);
      io.out(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is up to date.');
    },
  },
  {
    path: ['user', 'add'],
    usage: 'heimdall user add --email E [--name N] [--admin]   password from stdin or prompt',
    async run(args, io) {
      const { values } = parseArgs({
        args,
        options: { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean', default: false } },
      });
      if (!values.email) throw new HeimdallError('invalid_request', '--email is required.');
      const password = await io.readPassword();
      await withServices(io, async (services) => {
        const result = await services.users.register({ email: values.email!, password, name: values.name });
        if (!result.ok) throw new HeimdallError(result.code, result.message);
        let user = result.user;
        if (values.admin && !user.roles.includes(ADMIN_ROLE)) {
          const promoted = await services.users.setRoles(user.id, [...user.roles, ADMIN_ROLE]);
          if (promoted.ok) user = promoted.user;
        }
        io.out(`Created ${user.email} (${user.id}) with roles: ${user.roles.join(', ')}`);
      });
    },
  },
  {
    path: ['user', 'roles'],
    usage: "heimdall user roles <email> <role…>  replace the user's roles (no roles: none)",
    async run(args, io) {
      const [email, ...roles] = args;
      if (!email) throw new HeimdallError('invalid_request', 'Give the email, then the roles.');
      if (!roles.every((r) => /^[a-z][a-z0-9_.-]{0,31}$/.test(r))) {
        throw new HeimdallError('invalid_request', 'Roles are lower-case names: letters, digits, _ . -');
      }
      await withServices(io, async (services) => {
        const user = await requireUserByEmail(services, email);
        const result = await services.users.setRoles(user.id, roles);
        if (!result.ok)
          throw new HeimdallError(
            'invalid_request',
            result.code === 'last_admin' ? 'At least one admin must remain.' : 'No such user.',
          );
        io.out(`${result.user.email} now has roles: ${result.user.roles.join(', ') || '(none)'}`);
      });
    },
  },
  {
    path: ['user', 'reset-link'],
    usage: 'heimdall user reset-link <email>    print a set-password link (PASSWORD_RESET_TTL), sending no mail',
    async run(args, io) {
      const [email] = args;
      if (!email || args.length > 1) throw new HeimdallError('invalid_request', 'Give the email of the account.');
      await withServices(io, async (services) => {
        const link = await services.passwordResets.createResetLink(email);
        if (!link) throw new HeimdallError('not_found', `No user with email ${email}.`);
        io.out(link.url);
        io.out(
          `Single use, valid until ${new Date(link.expiresAt).toISOString()}. Give it to ${link.user.email} only: it sets the account's password and signs it out everywhere.`,
        );
      });
    },
  },
  {
    path: ['sessions', 'revoke'],
    usage: 'heimdall sessions revoke --user E  sign the user out everywhere',
    async run(args, io) {
      const { values } = parseArgs({ args, options: { user: { type: 'string' } } });
      if (!values.user) throw new HeimdallError('invalid_request', '--user is required.');
      await withServices(io, async (services) => {
        const user = await requireUserByEmail(services, values.user!);
        const { revoked } = await services.sessions.revokeAll(user.id, { by: 'admin', actorId: null });
        io.out(`Signed ${user.email} out everywhere (${revoked} stored session${revoked === 1 ? '' : 's'} deleted).`);
      });
    },
  },
  {
    path: ['keys', 'rotate'],
    usage: 'heimdall keys rotate [--alg EdDSA|ES256]  new active signing key; the old one verifies until retired',
    async run(args, io) {
      const { values } = parseArgs({ args, options: { alg: { type: 'string' } } });
      if (values.alg !== undefined && !SIGNING_ALGORITHMS.includes(values.alg as SigningAlgorithm)) {
        throw new HeimdallError('invalid_request', `--alg takes ${SIGNING_ALGORITHMS.join(' or ')}.`);
      }
      await withServices(io, async (services) => {
        const before = services.keys.signingKey().kid;
        const active = await services.keys.rotate(values.alg as SigningAlgorithm | undefined);
        await services.audit.record('key.rotated', null, {
          details: { kid: active.kid, alg: active.alg, replaced: before, by: 'cli' },
        });
        io.out(`Active signing key: ${active.kid} (${active.alg}); ${before} now verifies only, until retired.`);
        io.out('Running servers start signing with it within a minute; tokens of either key verify meanwhile.');
        for (const line of formatKeyTable(await services.keys.list())) io.out(line);
      });
    },
  },
  {
    path: ['keys', 'list'],
    usage: 'heimdall keys list                  signing keys with their state and retirement time',
    async run(_args, io) {
      await withServices(io, async (services) => {
        for (const line of formatKeyTable(await services.keys.list())) io.out(line);
      });
    },
  },
];
