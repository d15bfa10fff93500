import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret } from '../core/tokens.js';

export interface ResolvedSecret {
  secret: string;
  /** Set when the secret was just generated, so the caller can warn once. */
  createdAt: string | null;
}

/**
 * HEIMDALL_SECRET, or the one kept in `<dataDir>/secret` (created with mode 0600 on first start). Losing it means
 * losing what it encrypts (signing keys), so production should set HEIMDALL_SECRET from a secret manager.
 */
export function resolveSecret(configured: string | null, dataDir: string): ResolvedSecret {
  if (configured) return { secret: configured, createdAt: null };
  const path = join(dataDir, 'secret');
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length < 32)
      throw new Error(`${path} holds fewer than 32 characters; delete it or set HEIMDALL_SECRET.`);
    return { secret: stored, createdAt: null };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = generateSecret();
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, createdAt: path };
}
