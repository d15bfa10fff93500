import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Where the SPA finds the API. Empty (the default) means its own origin, as when Heimdall serves it. To host the SPA
 * on another origin, build or run it with VITE_HEIMDALL_API_URL=https://auth.example.com and list the SPA's origin
 * in Heimdall's HEIMDALL_ORIGINS; a static host may also rewrite the meta tag in dist/index.html.
 */
function apiUrlMeta(): Plugin {
  const url = process.env.VITE_HEIMDALL_API_URL ?? '';
  if (url && !/^https?:\/\/[^/]+$/.test(url)) {
    throw new Error(`VITE_HEIMDALL_API_URL must be an origin such as https://auth.example.com, not ${url}`);
  }
  return {
    name: 'heimdall-api-url',
    transformIndexHtml: (html) =>
      html.replace('<meta name="heimdall-api-url" content="" />', `<meta name="heimdall-api-url" content="${url}" />`),
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), apiUrlMeta()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Heimdall's CSP allows no inline script or style: every asset is a file.
    assetsInlineLimit: 0,
  },
  server: { host: 'localhost', port: 5173, strictPort: false },
  preview: { host: 'localhost', port: 4173, strictPort: false },
});
