import type { Kysely, Selectable } from 'kysely';
import type { CatalogueRepository, Product, Purchase } from '../../core/catalogue.js';
import { isUniqueViolation } from './database.js';
import type { Database, ProductsTable, PurchasesTable } from './schema.js';

function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    priceCents: Number(row.price_cents),
    currency: row.currency,
    fileName: row.file_name,
    mediaType: row.media_type,
  };
}

function toPurchase(row: Selectable<PurchasesTable>): Purchase {
  return { id: row.id, userId: row.user_id, productId: row.product_id, createdAt: Number(row.created_at) };
}

/** The demo catalogue and its purchases in SQL. */
export class SqlCatalogueRepository implements CatalogueRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async listProducts(): Promise<Product[]> {
    const rows = await this.#db.selectFrom('products').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toProduct);
  }

  async findProduct(id: string): Promise<Product | null> {
    const row = await this.#db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProduct(row) : null;
  }

  async listPurchasedProductIds(userId: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('purchases').select('product_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.product_id);
  }

  async findPurchase(userId: string, productId: string): Promise<Purchase | null> {
    const row = await this.#db
      .selectFrom('purchases')
      .selectAll()
      .where('user_id', '=', userId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    return row ? toPurchase(row) : null;
  }

  async addPurchase(purchase: Purchase): Promise<{ purchase: Purchase; created: boolean }> {
    try {
      await this.#db
        .insertInto('purchases')
        .values({
          id: purchase.id,
          user_id: purchase.userId,
          product_id: purchase.productId,
          created_at: purchase.createdAt,
        })
        .execute();
      return { purchase, created: true };
    } catch (error) {
      // The (user, product) unique constraint: a second purchase, even a concurrent one, returns the first.
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.findPurchase(purchase.userId, purchase.productId);
      if (!existing) throw error;
      return { purchase: existing, created: false };
    }
  }
}
