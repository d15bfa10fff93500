import type { StoredSigningKey } from '../core/signing-key.js';

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** `heimdall keys list` output: one aligned row per key, newest first. */
export function formatKeyTable(keys: StoredSigningKey[]): string[] {
  const rows = [
    ['kid', 'alg', 'state', 'created', 'retire after'],
    ...keys.map((k) => [
      k.kid,
      k.alg,
      k.state,
      iso(k.createdAt),
      iso(k.state === 'retired' ? k.retiredAt : k.retireAfter),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
