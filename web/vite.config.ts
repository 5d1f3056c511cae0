import { defineConfig } from 'vitest/config';

// The server (tend serve --web-root dist) answers with a strict Content-Security-Policy
// (script-src 'self'; style-src 'self'), so the build must not emit inline scripts or styles.
// `npm run dev` proxies the API to a running `tend serve` (TEND_URL, default :8080).
const tend = process.env.TEND_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: tend, changeOrigin: false },
      '/healthz': tend,
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    restoreMocks: true,
  },
});
