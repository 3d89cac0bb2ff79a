// Types for admin.mjs, so TypeScript callers (the browser test) are checked.
export declare const LOCAL_ADMIN_TOKEN: string
export declare function startAdmin(options: {
  gatewayUrl: string
  port?: number
  host?: string
  adminToken?: string
  forceBuild?: boolean
  log?: (line: string) => void
}): Promise<{ url: string; stop: () => Promise<void> }>
