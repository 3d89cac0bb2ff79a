// The admin site: static pages (prerendered) plus one on-demand route, the same-origin read-only
// proxy to the gateway's admin API (src/pages/api/[...path].ts), served by @astrojs/cloudflare.
import cloudflare from '@astrojs/cloudflare'
import { defineConfig } from 'astro/config'

export default defineConfig({
  output: 'static',
  adapter: cloudflare({ prerenderEnvironment: 'node', imageService: 'passthrough' }),
  // No sessions: the admin keeps no server-side state (and needs no KV for it).
  session: false,
  // `/requests` → requests.html: clean URLs with no redirect hop on Cloudflare's asset server.
  build: { format: 'file' },
  trailingSlash: 'never',
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
  telemetry: false,
})
