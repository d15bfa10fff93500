import type { Kysely, Migration } from 'kysely';

const PAGE = 500;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/u;

/**
 * The canonical form as issue 15 defined it (NFKC, trimmed, lower-case, no invisible characters), written out here
 * rather than imported: a migration must keep doing what it did when it shipped, whatever the live rule becomes.
 */
function canonicalOf(email: string): string | null {
  const canonical = email.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  return INVISIBLE.test(canonical) || !/^[^\s@]+@[^\s@]+$/.test(canonical) ? null : canonical;
}

/**
 * Emails move from the earlier stored form (NFC, lower-case) to the canonical one (NFKC), so that an account whose
 * address was typed in full-width characters is found, and guarded against lookalike sign-ups, by its canonical
 * spelling. A row keeps its old form when the canonical one is already another account's (a lookalike pair from
 * before the rule: neither account changes hands) or is not an address (invisible characters); such rows still sign
 * in by exactly what their owners type (core/email-address.ts). No schema change; ASCII rows, nearly all, are
 * untouched.
 */
export const canonicalEmailsMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run over any schema
  async up(db: Kysely<any>) {
    let after = '';
    for (;;) {
      const rows: { id: string; email: string }[] = await db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(PAGE)
        .execute();
      for (const row of rows) {
        if (/^[\x20-\x7e]*$/.test(row.email)) continue;
        const canonical = canonicalOf(row.email);
        if (!canonical || canonical === row.email) continue;
        await db
          .updateTable('users')
          .set({ email: canonical })
          .where('id', '=', row.id)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('users as other').select('other.id').where('other.email', '=', canonical))),
          )
          .execute();
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  },

  async down() {
    // Nothing to undo: a canonical email is also a valid email under the earlier rule.
  },
};
