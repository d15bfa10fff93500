import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from 'typebox';
import { HeimdallError } from '../../core/errors.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam } from '../schemas.js';

const DownloadParams = Type.Object({ productId: IdParam.properties.id }, { additionalProperties: false });
const DownloadQuery = Type.Object(
  { token: Type.Optional(Type.String({ maxLength: 4096 })) },
  { additionalProperties: false },
);

/** `filename` for old clients (ASCII only) and `filename*` (RFC 6266, RFC 8187) for the real name. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * GET /downloads/:productId?token=: streams a purchased file to whoever holds a valid download token. No cookie
 * and no CSRF: the link itself is the short-lived credential (and the logger redacts `token=`).
 */
export function registerDownloadRoutes(api: Api, { services }: RouteContext): void {
  api.get(
    '/downloads/:productId',
    {
      config: { errorCodes: ['unauthenticated', 'token_expired', 'not_found'] },
      schema: { params: DownloadParams, querystring: DownloadQuery },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
      const { productId } = request.params;
      const token = request.query.token;
      if (!token) throw new HeimdallError('unauthenticated', 'This download needs a signed link.');
      const opened = await services.downloads.openDownload(productId, token);
      if (!opened.ok) throw new HeimdallError(opened.code);
      const size = await stat(opened.path).then(
        (s) => (s.isFile() ? s.size : null),
        () => null,
      );
      if (size === null) {
        request.log.error({ productId, path: opened.path }, 'product file is missing');
        throw new HeimdallError('not_found', 'The file for this product is missing.');
      }
      return reply
        .type(opened.product.mediaType)
        .header('content-length', size)
        .header('content-disposition', attachment(opened.product.fileName))
        .send(createReadStream(opened.path));
    },
  );
}
