/** A demo product whose file can be downloaded once purchased. */
export interface Product {
  id: string;
  name: string;
  description: string;
  /** In the currency's minor unit (cents). */
  priceCents: number;
  currency: string;
  /** File name inside the downloads directory. */
  fileName: string;
  mediaType: string;
}

export interface Purchase {
  id: string;
  userId: string;
  productId: string;
  createdAt: number;
}

/** Port: products and purchases (SQL). */
export interface CatalogueRepository {
  listProducts(): Promise<Product[]>;
  findProduct(id: string): Promise<Product | null>;
  /** Ids of the products the user has bought. */
  listPurchasedProductIds(userId: string): Promise<string[]>;
  findPurchase(userId: string, productId: string): Promise<Purchase | null>;
  /** Records a purchase; when the user already owns the product, the existing purchase comes back instead. */
  addPurchase(purchase: Purchase): Promise<{ purchase: Purchase; created: boolean }>;
}
