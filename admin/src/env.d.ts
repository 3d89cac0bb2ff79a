// The proxy route's runtime bindings (workerd, through @astrojs/cloudflare): only what it reads.
declare module 'cloudflare:workers' {
  export const env: Readonly<Record<string, unknown>>
}
