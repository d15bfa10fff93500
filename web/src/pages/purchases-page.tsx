import { useCallback, useEffect, useId, useState } from 'react';
import type { DownloadLink, Product } from '../api-client.js';
import { api, apiUrl } from '../api-client.js';
import { ActionButton, Alert, Field, Spinner } from '../components/form-controls.js';
import { describeDownloadError, describeError } from '../error-messages.js';
import { formatDateTime, formatPrice, formatRelative } from '../format.js';
import { useNotify } from '../notifications.js';

/** Link lifetimes to choose from; the API takes 1 s to 2 h and defaults to 15 minutes. */
const LIFETIMES = [
  { seconds: 60, label: '1 minute' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 900, label: '15 minutes' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 7_200, label: '2 hours' },
];
const DEFAULT_LIFETIME = 900;
/** How long the object URL of a downloaded file lives: long enough for the browser to start saving it. */
const OBJECT_URL_LIFETIME_MS = 10_000;

/** Hands fetched bytes to the browser's downloads, under the server's file name. */
function saveFile(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.download = fileName;
  anchor.click();
  window.setTimeout(() => URL.revokeObjectURL(href), OBJECT_URL_LIFETIME_MS);
}

/** The link as anyone would use it: absolute, against the API's origin. */
function absoluteLink(link: DownloadLink): string {
  return new URL(apiUrl(link.url), window.location.href).href;
}

function DownloadPanel({ product }: { product: Product }) {
  const [ttlSeconds, setTtlSeconds] = useState(DEFAULT_LIFETIME);
  const [link, setLink] = useState<DownloadLink | null>(null);
  const [linkBusy, setLinkBusy] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lifetimeId = useId();

  const getLink = async () => {
    setLinkBusy(true);
    setError(null);
    try {
      setLink(await api.shop.createDownloadLink(product.id, ttlSeconds));
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setLinkBusy(false);
    }
  };

  const download = async (current: DownloadLink) => {
    setDownloading(true);
    setError(null);
    try {
      const file = await api.shop.fetchDownload(current.url);
      saveFile(file.blob, file.fileName ?? product.id);
    } catch (caught) {
      setError(describeDownloadError(caught));
    } finally {
      setDownloading(false);
    }
  };

  return (
    <div className="download">
      <div className="download-controls">
        <div className="inline-select">
          <label htmlFor={lifetimeId}>Link valid for</label>
          <select id={lifetimeId} value={ttlSeconds} onChange={(e) => setTtlSeconds(Number(e.target.value))}>
            {LIFETIMES.map((lifetime) => (
              <option key={lifetime.seconds} value={lifetime.seconds}>
                {lifetime.label}
              </option>
            ))}
          </select>
        </div>
        <ActionButton variant="secondary" busy={linkBusy} busyLabel="Getting link…" onClick={getLink}>
          Get download link
        </ActionButton>
      </div>
      {link ? (
        <div className="download-link">
          <Field
            label="Download link"
            readOnly
            value={absoluteLink(link)}
            onFocus={(e) => e.target.select()}
            hint="Works without signing in, so a download manager can fetch it; anyone who has it can, until it expires."
          />
          <p className="download-expiry">
            Link expires <time dateTime={link.expiresAt}>{formatDateTime(link.expiresAt)}</time> (
            {formatRelative(link.expiresAt)})
          </p>
          <div className="actions">
            <ActionButton busy={downloading} busyLabel="Downloading…" onClick={() => void download(link)}>
              Download
            </ActionButton>
          </div>
        </div>
      ) : null}
      {error ? <Alert kind="error">{error}</Alert> : null}
    </div>
  );
}

function ProductCard({ product, onPurchased }: { product: Product; onPurchased(id: string): void }) {
  const notify = useNotify();
  const [buying, setBuying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();
  const price = formatPrice(product.price, product.currency);

  const buy = async () => {
    setBuying(true);
    setError(null);
    try {
      await api.shop.purchase(product.id);
      onPurchased(product.id);
      notify({ kind: 'success', title: `Bought ${product.name}`, text: 'A demo purchase: nothing was charged.' });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBuying(false);
    }
  };

  return (
    <section className="card product" aria-labelledby={headingId}>
      <div className="product-head">
        <div>
          <h2 id={headingId}>{product.name}</h2>
          <p className="muted product-description">{product.description}</p>
        </div>
        <div className="product-buy">
          <span className="product-price">{price}</span>
          {product.purchased ? (
            <span className="badge badge-current">Purchased</span>
          ) : (
            <ActionButton busy={buying} busyLabel="Buying…" aria-label={`Buy ${product.name}`} onClick={buy}>
              Buy
            </ActionButton>
          )}
        </div>
      </div>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {product.purchased ? <DownloadPanel product={product} /> : null}
    </section>
  );
}

export function PurchasesPage() {
  const [products, setProducts] = useState<Product[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setProducts((await api.shop.listProducts()).products);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const markPurchased = (id: string) =>
    setProducts((list) => list?.map((p) => (p.id === id ? { ...p, purchased: true } : p)) ?? null);

  return (
    <div className="page">
      <header className="page-header">
        <h1>Purchases</h1>
        <p className="lead">Demo products: buy one (no payment), then get a short-lived signed link to download it.</p>
      </header>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {products === null ? (
        error ? null : (
          <Spinner label="Loading products…" />
        )
      ) : products.length === 0 ? (
        <div className="card empty-state">
          <p>There are no products yet.</p>
        </div>
      ) : (
        products.map((product) => <ProductCard key={product.id} product={product} onPurchased={markPurchased} />)
      )}
    </div>
  );
}
