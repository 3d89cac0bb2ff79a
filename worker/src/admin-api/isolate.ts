/**
 * `GET /admin/api/isolate`: the answering isolate's own caches — each one's size and bound
 * (lib/isolate-caches.ts). Sizes only, never contents. `npm run load` reads it before and after its
 * run to show the gateway's own memory stays bounded, apart from the runtime's.
 */
import type { Handler } from 'hono'
import { cacheSizes } from '../lib/isolate-caches.ts'
import type { AdminEnv } from './types.ts'

export function isolateCaches(): Handler<AdminEnv> {
  return function isolateCachesHandler(c) {
    const caches = cacheSizes()
    return c.json({ caches, within_bounds: caches.every((g) => g.size <= g.bound) })
  }
}
