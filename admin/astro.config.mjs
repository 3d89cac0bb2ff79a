// The admin site: every page prerendered to static HTML, no server output and no adapter. The
// dynamic part, `/api/*`, is a Pages Function (functions/api/[[path]].ts) that reaches the gateway
// through a service binding; scripts/deploy/admin-upload.ts builds the two into one Pages upload.
import { defineConfig } from 'astro/config'

export default defineConfig({
  output: 'static',
  // `/requests` → requests.html: clean URLs with no redirect hop on Cloudflare's asset server.
  build: { format: 'file' },
  trailingSlash: 'never',
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
  telemetry: false,
})
