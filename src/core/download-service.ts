import { basename, join } from 'node:path';
import type { CatalogueRepository, Product, Purchase } from './catalogue.js';
import type { Clock } from './clock.js';
import { generateUuidV7 } from './ids.js';
import type { JwtService } from './jwt-service.js';
import type { UserRepository } from './user.js';

export interface ProductListing extends Product {
  purchased: boolean;
}

export type PurchaseResult = { ok: true; purchase: Purchase; created: boolean } | { ok: false; code: 'not_found' };

export type LinkResult =
  | { ok: true; productId: string; token: string; expiresAt: number }
  | { ok: false; code: 'not_found' | 'forbidden' };

export type DownloadResult =
  | { ok: true; product: Product; path: string }
  | { ok: false; code: 'token_expired' | 'unauthenticated' | 'forbidden' };

export interface DownloadServiceOptions {
  catalogue: CatalogueRepository;
  users: UserRepository;
  jwt: JwtService;
  clock: Clock;
  /** Where product files live (HEIMDALL_DOWNLOADS_DIR). */
  directory: string;
  /** Link lifetime when the caller names none. */
  defaultTtlSeconds: number;
}

/**
 * Signed download links for purchased files: the JWT's one job that fits it best — short-lived, never stored in a
 * browser, usable without a cookie (a download manager can fetch it).
 */
export class DownloadService {
  readonly #catalogue: CatalogueRepository;
  readonly #users: UserRepository;
  readonly #jwt: JwtService;
  readonly #clock: Clock;
  readonly #directory: string;
  readonly #defaultTtlSeconds: number;

  constructor(options: DownloadServiceOptions) {
    this.#catalogue = options.catalogue;
    this.#users = options.users;
    this.#jwt = options.jwt;
    this.#clock = options.clock;
    this.#directory = options.directory;
    this.#defaultTtlSeconds = options.defaultTtlSeconds;
  }

  async listProducts(userId: string): Promise<ProductListing[]> {
    const [products, purchased] = await Promise.all([
      this.#catalogue.listProducts(),
      this.#catalogue.listPurchasedProductIds(userId),
    ]);
    const owned = new Set(purchased);
    return products.map((product) => ({ ...product, purchased: owned.has(product.id) }));
  }

  /** A demo purchase (no payment); buying twice returns the first purchase. */
  async purchase(userId: string, productId: string): Promise<PurchaseResult> {
    if (!(await this.#catalogue.findProduct(productId))) return { ok: false, code: 'not_found' };
    const added = await this.#catalogue.addPurchase({
      id: generateUuidV7(this.#clock),
      userId,
      productId,
      createdAt: this.#clock.now(),
    });
    return { ok: true, ...added };
  }

  /** A download token for a product the user has bought. */
  async createLink(userId: string, productId: string, ttlSeconds = this.#defaultTtlSeconds): Promise<LinkResult> {
    if (!(await this.#catalogue.findProduct(productId))) return { ok: false, code: 'not_found' };
    if (!(await this.#catalogue.findPurchase(userId, productId))) return { ok: false, code: 'forbidden' };
    const issued = await this.#jwt.sign('download', userId, { pid: productId }, ttlSeconds);
    return { ok: true, productId, token: issued.token, expiresAt: issued.expiresAt };
  }

  /**
   * Checks a download token for `productId`: a genuine download token (not an access token), for this product,
   * unexpired, of a user who still exists, is enabled and still owns the product.
   */
  async openDownload(productId: string, token: string): Promise<DownloadResult> {
    const verified = await this.#jwt.verify('download', token);
    if (!verified.ok) return { ok: false, code: verified.code === 'expired' ? 'token_expired' : 'unauthenticated' };
    const { sub, pid } = verified.claims;
    if (pid !== productId) return { ok: false, code: 'unauthenticated' };
    const [user, product, purchase] = await Promise.all([
      this.#users.findById(sub),
      this.#catalogue.findProduct(productId),
      this.#catalogue.findPurchase(sub, productId),
    ]);
    if (!user || user.disabled || !product) return { ok: false, code: 'unauthenticated' };
    if (!purchase) return { ok: false, code: 'forbidden' };
    // basename(): file names come from our own table, but a path never leaves the downloads directory regardless.
    return { ok: true, product, path: join(this.#directory, basename(product.fileName)) };
  }
}
