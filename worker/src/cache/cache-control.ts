/**
 * What the client asked of the cache: `X-WatchLLM-Cache: bypass | refresh`, `Cache-Control:
 * no-store | no-cache`, and `X-WatchLLM-Cache-Namespace`. Pure, so every combination is testable.
 */
import { err, ok, type Result } from '../lib/result.ts'

export interface CacheIntent {
  /** Look for a stored answer. */
  read: boolean
  /** Store the fresh answer. */
  write: boolean
  namespace: string
}

const namespacePattern = /^[A-Za-z0-9._-]{1,64}$/

export function cacheIntent(headers: {
  control?: string | undefined
  watchllm?: string | undefined
  namespace?: string | undefined
}): Result<CacheIntent, { reason: 'bad_namespace' | 'bad_cache_header'; message: string }> {
  const namespace = headers.namespace?.trim() || 'default'
  if (!namespacePattern.test(namespace))
    return err({ reason: 'bad_namespace', message: 'X-WatchLLM-Cache-Namespace must be 1–64 letters, digits, ".", "_" or "-".' })

  const directives = (headers.control ?? '').toLowerCase().split(',').map((d) => d.trim())
  const mode = headers.watchllm?.trim().toLowerCase()
  if (mode !== undefined && mode !== '' && mode !== 'bypass' && mode !== 'refresh' && mode !== 'default')
    return err({ reason: 'bad_cache_header', message: 'X-WatchLLM-Cache must be "bypass", "refresh" or "default".' })

  // no-store / bypass: don't read, don't write. no-cache / refresh: skip the read, store the fresh answer.
  // no-store wins over refresh: the client said the answer must not be kept.
  if (mode === 'bypass' || directives.includes('no-store')) return ok({ read: false, write: false, namespace })
  if (mode === 'refresh' || directives.includes('no-cache')) return ok({ read: false, write: true, namespace })
  return ok({ read: true, write: true, namespace })
}
