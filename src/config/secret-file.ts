import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSecret } from '../core/tokens.js';

export interface ResolvedSecret {
  secret: string;
  /** Set when the secret was just generated, so the caller can warn once. */
  createdAt: string | null;
}

/**
 * HEIMDALL_SECRET, or the one kept in `<dataDir>/secret` (created with mode 0600 in a 0700 directory on first start;
 * app/private-files.ts tightens older ones). Losing it means
 * losing what it encrypts (signing keys), so production should set HEIMDALL_SECRET from a secret manager.
 * With `create: false` (the CLI, embedding apps) a missing secret is an error naming where it was looked for: a
 * process joining an existing deployment must never make a secret of its own.
 */
export function resolveSecret(
  configured: string | null,
  dataDir: string,
  options: { create: boolean } = { create: true },
): ResolvedSecret {
  if (configured) return { secret: configured, createdAt: null };
  const path = join(dataDir, 'secret');
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length < 32)
      throw new Error(`${path} holds fewer than 32 characters; delete it or set HEIMDALL_SECRET.`);
    return { secret: stored, createdAt: null };
  }
  if (!options.create) {
    throw new Error(
      `HEIMDALL_SECRET is not set and there is no secret at ${resolve(path)}: set HEIMDALL_SECRET (or HEIMDALL_DATA_DIR) as the Heimdall server has it.`,
    );
  }
  // Only the data directory itself is made (private to the server's user), never a missing parent.
  if (!existsSync(dataDir)) mkdirSync(dataDir, { mode: 0o700 });
  const secret = generateSecret();
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, createdAt: path };
}
