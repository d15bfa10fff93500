import { useEffect, useState } from 'react';
import type { OidcProvider } from './api-client.js';
import { api } from './api-client.js';

/** The configured providers do not change while the page is open: one request serves every page that asks. */
let loading: Promise<OidcProvider[]> | null = null;

function loadProviders(): Promise<OidcProvider[]> {
  loading ??= api.oidcProviders();
  return loading;
}

/** Third-party providers (GET /api/oidc/providers); null while loading, empty when none or unknown. */
export function useProviders(): OidcProvider[] | null {
  const [providers, setProviders] = useState<OidcProvider[] | null>(null);
  useEffect(() => {
    let live = true;
    void loadProviders().then((list) => {
      if (live) setProviders(list);
    });
    return () => {
      live = false;
    };
  }, []);
  return providers;
}

/** A provider's label ("Keycloak") from its name in session and audit records ("keycloak"). */
export function providerLabel(providers: OidcProvider[] | null, name: string): string {
  return providers?.find((p) => p.name === name)?.label ?? name;
}
