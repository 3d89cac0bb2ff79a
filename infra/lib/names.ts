/**
 * Cloud resource names per stack. wrangler.jsonc names things `watchllm-…` for local runs; each
 * stack swaps that prefix for its own (`watchllm-dev-…`), so dev and prod share an account safely.
 */
export function stackResourceName(prefix: string, wranglerName: string): string {
  if (wranglerName === 'watchllm') return prefix
  if (wranglerName.startsWith('watchllm-')) return `${prefix}-${wranglerName.slice('watchllm-'.length)}`
  return `${prefix}-${wranglerName}`
}

/** `CACHE_KV` → `cache-kv`: binding names as readable resource-name parts. */
export function kebab(bindingName: string): string {
  return bindingName.toLowerCase().replaceAll('_', '-')
}
