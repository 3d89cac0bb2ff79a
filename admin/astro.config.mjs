// The admin site: every page prerendered to static HTML for Cloudflare Pages; no route runs on a
// server. @astrojs/cloudflare does two jobs at build time: it renders each page inside workerd (the
// runtime that serves the site) and writes `_headers` so Pages serves the content-hashed
// `/_astro/*` files as immutable. Its Workers-only outputs (an empty server directory,
// wrangler.json, .assetsignore) are left out of the upload by infra/lib/admin-build.ts. The dynamic
// part, `/api/*`, is a Pages Function (functions/api/[[path]].ts) reaching the gateway through a
// service binding.
import cloudflare from '@astrojs/cloudflare'
import { defineConfig } from 'astro/config'

export default defineConfig({
  output: 'static',
  adapter: cloudflare({ prerenderEnvironment: 'workerd', imageService: 'passthrough' }),
  // No sessions: the admin keeps no server-side state (and needs no KV for it).
  session: false,
  // `/requests` → requests.html: clean URLs with no redirect hop on Cloudflare's asset server.
  build: { format: 'file' },
  trailingSlash: 'never',
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
  telemetry: false,
})
