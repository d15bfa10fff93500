import { basename, join } from 'node:path';
import type { CatalogueRepository, Product, Purchase } from './catalogue.js';
import type { Clock } from './clock.js';
import { generateUuidV7 } from './ids.js';
import type { JwtService } from './jwt-service.js';
import type { Authenticated } from './session-service.js';
import type { UserRepository } from './user.js';

export interface ProductListing extends Product {
  purchased: boolean;
}

export type PurchaseResult = { ok: true; purchase: Purchase; created: boolean } | { ok: false; code: 'not_found' };

export type LinkResult =
  | { ok: true; productId: string; token: string; expiresAt: number }
  | { ok: false; code: 'not_found' | 'forbidden' | 'unauthenticated' };

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

  /**
   * A download token for a product the minter's user has bought. It carries the user's session version, so whatever
   * ends every session of the user (sign-out everywhere, password change, admin or anomaly revocation) ends it too,
   * and it never outlives the credential that asked for it: a cookie session's absolute expiry, a Bearer access
   * token's own expiry (a 5-minute token must not mint 2-hour links).
   */
  async createLink(
    minter: Authenticated,
    productId: string,
    ttlSeconds = this.#defaultTtlSeconds,
  ): Promise<LinkResult> {
    const { user, session } = minter;
    if (!(await this.#catalogue.findProduct(productId))) return { ok: false, code: 'not_found' };
    if (!(await this.#catalogue.findPurchase(user.id, productId))) return { ok: false, code: 'forbidden' };
    const notAfter = Math.min(session.absoluteExpiresAt, minter.credentialExpiresAt ?? Number.POSITIVE_INFINITY);
    // Whole seconds, rounded down: JWT times are seconds, and the link must end no later than its minter.
    const remainingSeconds = Math.floor((notAfter - this.#clock.now()) / 1000);
    if (remainingSeconds < 1) return { ok: false, code: 'unauthenticated' };
    const lifetime = Math.min(ttlSeconds, remainingSeconds);
    const issued = await this.#jwt.sign('download', user.id, { pid: productId, sv: user.sessionVersion }, lifetime);
    return { ok: true, productId, token: issued.token, expiresAt: issued.expiresAt };
  }

  /**
   * Checks a download token for `productId`: a genuine download token (not an access token), for this product,
   * unexpired, of a user who still exists, is enabled, has not ended every session since (session version) and still
   * owns the product.
   */
  async openDownload(productId: string, token: string): Promise<DownloadResult> {
    const verified = await this.#jwt.verify('download', token);
    if (!verified.ok) return { ok: false, code: verified.code === 'expired' ? 'token_expired' : 'unauthenticated' };
    const { sub, pid, sv } = verified.claims;
    // A token without the version (minted before links carried it) is refused, never taken as "any version".
    if (pid !== productId || typeof sv !== 'number') return { ok: false, code: 'unauthenticated' };
    const [user, product, purchase] = await Promise.all([
      this.#users.findById(sub),
      this.#catalogue.findProduct(productId),
      this.#catalogue.findPurchase(sub, productId),
    ]);
    if (!user || user.disabled || user.sessionVersion !== sv || !product) return { ok: false, code: 'unauthenticated' };
    if (!purchase) return { ok: false, code: 'forbidden' };
    // basename(): file names come from our own table, but a path never leaves the downloads directory regardless.
    return { ok: true, product, path: join(this.#directory, basename(product.fileName)) };
  }
}
