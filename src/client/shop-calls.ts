import { ApiError, errorFromAnswer } from './api-error.js';
import type { Transport } from './transport.js';
import type { DownloadLink, Product, Purchase } from './types.js';

/** A file fetched through a signed download link. */
export interface DownloadedFile {
  blob: Blob;
  /** From Content-Disposition, when the browser lets the page read it. */
  fileName: string | null;
}

/** `filename*=UTF-8''…` (RFC 6266, RFC 8187) when present, else the plain `filename="…"`. */
function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // Fall through to the plain name.
    }
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
}

/** The demo shop: products, purchases and signed download links. */
export function shopCalls(transport: Transport) {
  return {
    listProducts: (): Promise<{ products: Product[] }> => transport.request('GET', '/api/products'),
    purchase: (productId: string): Promise<{ purchase: Purchase }> =>
      transport.request('POST', `/api/products/${encodeURIComponent(productId)}/purchase`),
    createDownloadLink: (productId: string, ttlSeconds?: number): Promise<DownloadLink> =>
      transport.request('POST', `/api/downloads/${encodeURIComponent(productId)}/link`, {
        body: ttlSeconds === undefined ? {} : { ttlSeconds },
      }),
    /**
     * Fetches a file through a signed link (`url` as createDownloadLink returned it). The link is the whole
     * credential, so no cookie goes along; a refusal is about the link, not the session.
     */
    async fetchDownload(url: string, fetcher: typeof fetch = (i, init) => globalThis.fetch(i, init)) {
      let response: Response;
      try {
        response = await fetcher(transport.url(url), { credentials: 'omit' });
      } catch {
        throw new ApiError('network_error', 'Cannot reach the server.', 0);
      }
      if (!response.ok)
        throw errorFromAnswer(response.status, response.headers, await response.json().catch(() => null));
      const file: DownloadedFile = {
        blob: await response.blob(),
        fileName: fileNameOf(response.headers.get('content-disposition')),
      };
      return file;
    },
  };
}
export type ShopCalls = ReturnType<typeof shopCalls>;
