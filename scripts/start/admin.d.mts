// Types for admin.mjs, so TypeScript callers (the browser test) are checked.
export declare const LOCAL_ADMIN_TOKEN: string
export declare const LOCAL_GATEWAY_NAME: string
export declare function startAdmin(options: {
  /** The wrangler dev registry the local gateway registered in (WRANGLER_REGISTRY_PATH). */
  registry: string
  gatewayName?: string
  port?: number
  host?: string
  forceBuild?: boolean
  log?: (line: string) => void
}): Promise<{ url: string; stop: () => Promise<void> }>
