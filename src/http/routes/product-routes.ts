import { Type } from 'typebox';
import type { ProductListing } from '../../core/download-service.js';
import { HeimdallError } from '../../core/errors.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam } from '../schemas.js';

export const ProductView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  /** In the currency's major unit (4.99). */
  price: Type.Number(),
  currency: Type.String(),
  mediaType: Type.String(),
  purchased: Type.Boolean(),
});
export const PurchaseView = Type.Object({ id: Type.String(), productId: Type.String(), createdAt: Type.String() });
const ProductIdParam = Type.Object({ productId: IdParam.properties.id }, { additionalProperties: false });
const LinkBody = Type.Union([
  Type.Object(
    { ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7200 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

function toProductView(product: ProductListing) {
  const { id, name, description, currency, mediaType, purchased } = product;
  return { id, name, description, price: product.priceCents / 100, currency, mediaType, purchased };
}

/** The demo shop behind signed download links (API.md, "Downloads"). */
export function registerProductRoutes(api: Api, { services, guards }: RouteContext): void {
  api.get(
    '/products',
    {
      preHandler: guards.requireSession,
      schema: { response: { 200: Type.Object({ products: Type.Array(ProductView) }) } },
    },
    async (request) => ({
      products: (await services.downloads.listProducts(request.auth!.user.id)).map(toProductView),
    }),
  );

  api.post(
    '/products/:id/purchase',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: guards.requireSession,
      schema: {
        params: IdParam,
        response: { 200: Type.Object({ purchase: PurchaseView }), 201: Type.Object({ purchase: PurchaseView }) },
      },
    },
    async (request, reply) => {
      const result = await services.downloads.purchase(request.auth!.user.id, request.params.id);
      if (!result.ok) throw new HeimdallError('not_found', 'No such product.');
      const { id, productId, createdAt } = result.purchase;
      // Buying again is harmless: the first purchase comes back (200), nothing is bought twice.
      return reply
        .code(result.created ? 201 : 200)
        .send({ purchase: { id, productId, createdAt: new Date(createdAt).toISOString() } });
    },
  );

  api.post(
    '/downloads/:productId/link',
    {
      config: { errorCodes: ['not_found', 'forbidden'] },
      preHandler: guards.requireSession,
      schema: {
        params: ProductIdParam,
        body: LinkBody,
        response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.String() }) },
      },
    },
    async (request) => {
      const { productId } = request.params;
      const link = await services.downloads.createLink(request.auth!, productId, request.body?.ttlSeconds);
      if (!link.ok && link.code === 'not_found') throw new HeimdallError('not_found', 'No such product.');
      if (!link.ok && link.code === 'unauthenticated') {
        throw new HeimdallError('unauthenticated', 'This credential expires within a second; sign in again.');
      }
      if (!link.ok) throw new HeimdallError('forbidden', 'Buy the product before downloading it.');
      return {
        // Relative, so it is right behind any proxy; the token is the whole credential (no cookie needed).
        url: `/downloads/${encodeURIComponent(productId)}?token=${link.token}`,
        expiresAt: new Date(link.expiresAt).toISOString(),
      };
    },
  );
}
