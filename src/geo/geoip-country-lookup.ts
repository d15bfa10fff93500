import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { GeoLookup } from '../core/device.js';

interface GeoipCountry {
  lookup(ip: string): { country?: string } | null;
}

/**
 * GeoLookup over geoip-country: the GeoLite2 country tables ship inside the npm package (data/*.dat, ~8 MB) and are
 * read from disk once when the module loads. No lookup ever touches the network; the package's own updater
 * (`updatedb`, which would download) is never called. Private, loopback and reserved addresses have no country.
 */
export class GeoipCountryLookup implements GeoLookup {
  readonly #geoip: GeoipCountry;

  constructor() {
    // CommonJS with a synchronous load of its tables; created once at start, never on a request.
    this.#geoip = createRequire(import.meta.url)('geoip-country') as GeoipCountry;
  }

  countryOf(ip: string): string | null {
    if (isIP(ip) === 0) return null;
    return this.#geoip.lookup(ip)?.country || null;
  }
}
