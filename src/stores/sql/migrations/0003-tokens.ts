import { type Kysely, type Migration, sql } from 'kysely';

/** When the sample products were added; fixed so every installation seeds identical rows. */
const SEEDED_AT = Date.UTC(2026, 10, 1);

/**
 * The demo catalogue. Its files ship in assets/downloads/ (HEIMDALL_DOWNLOADS_DIR points elsewhere), so signed
 * download links work with zero configuration.
 */
export const SAMPLE_PRODUCTS = [
  {
    id: 'mead-recipes',
    name: "Odin's Mead Recipes",
    description: 'Six recipes from the halls of Asgard, in plain text.',
    price_cents: 499,
    currency: 'EUR',
    file_name: 'mead-recipes.txt',
    media_type: 'text/plain; charset=utf-8',
    created_at: SEEDED_AT,
  },
  {
    id: 'bifrost-map',
    name: 'Bifröst Transit Map',
    description: 'The nine realms and the bridge between them, as a PNG image.',
    price_cents: 1299,
    currency: 'EUR',
    file_name: 'bifrost-map.png',
    media_type: 'image/png',
    created_at: SEEDED_AT,
  },
];

/** Signing keys, refresh tokens, the access-token deny list, and the demo catalogue (issue 7). */
export const tokensMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('sealed_private_jwk', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retire_after', 'bigint')
      .addColumn('retired_at', 'bigint')
      .execute();
    // At most one active key, enforced by the database: two instances rotating at once cannot both win.
    await db.schema
      .createIndex('signing_keys_one_active')
      .on('signing_keys')
      .column('state')
      .unique()
      .where(sql.ref('state'), '=', 'active')
      .execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('spent_at', 'bigint')
      .execute();
    await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute();
    await db.schema.createIndex('refresh_tokens_expires_at').on('refresh_tokens').column('expires_at').execute();

    await db.schema
      .createTable('denied_families')
      .addColumn('session_id', 'text', (c) => c.primaryKey())
      .addColumn('denied_until', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('denied_families_until').on('denied_families').column('denied_until').execute();

    await db.schema
      .createTable('products')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('price_cents', 'integer', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('purchases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('purchases_user_product', ['user_id', 'product_id'])
      .execute();
    // biome-ignore lint/suspicious/noExplicitAny: the migration's db is schema-less
    await (db as Kysely<any>).insertInto('products').values(SAMPLE_PRODUCTS).execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('purchases').execute();
    await db.schema.dropTable('products').execute();
    await db.schema.dropTable('denied_families').execute();
    await db.schema.dropTable('refresh_tokens').execute();
    await db.schema.dropTable('signing_keys').execute();
  },
};
