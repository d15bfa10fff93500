import { UAParser } from 'ua-parser-js';

export interface DeviceDescription {
  browser: string | null;
  os: string | null;
}

/** Browser and OS names for the devices list, parsed once when a session is made. */
export function describeUserAgent(userAgent: string): DeviceDescription {
  if (!userAgent) return { browser: null, os: null };
  const result = new UAParser(userAgent.slice(0, 512)).getResult();
  const browser = result.browser.name ? joinNonEmpty(result.browser.name, result.browser.major) : null;
  const os = result.os.name ? joinNonEmpty(result.os.name, result.os.version) : null;
  return { browser, os };
}

function joinNonEmpty(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p).join(' ');
}

/** Port: offline IP → ISO country code. */
export interface GeoLookup {
  countryOf(ip: string): string | null;
}

/** For deployments that record no country. */
export const noGeoLookup: GeoLookup = { countryOf: () => null };
