/**
 * The SHA-256 of API keys this isolate has already accepted, so a returning caller's key is not
 * hashed on every request (~0.1 ms of CPU each, README "Performance"). Only keys that matched a
 * policy hash are kept, so a flood of wrong keys can neither grow it nor evict the real ones; it
 * is bounded, oldest first out. The raw key is only ever a lookup key in this isolate's memory:
 * never logged, never written anywhere, never reported (`/admin/api/isolate` shows the count).
 */
import { sha256Hex } from './hash.ts'
import { registerCache } from './isolate-caches.ts'
import { setBounded } from './bounded-map.ts'

const MAX_KEYS = 256

export interface KeyHashMemo {
  /** The key's hash: remembered if it was accepted before, computed otherwise. */
  hash(key: string): string
  /** Remember an accepted key's hash. */
  accepted(key: string, hash: string): void
  readonly size: number
}

export function keyHashMemo(max = MAX_KEYS, hash: (text: string) => string = sha256Hex): KeyHashMemo {
  const known = new Map<string, string>()
  return {
    hash: (key) => known.get(key) ?? hash(key),
    accepted(key, digest) {
      setBounded(known, key, digest, max)
    },
    get size() {
      return known.size
    },
  }
}

/** The isolate's memo, shared by every app the isolate builds (one policy per deployment). */
export const acceptedKeyHashes = keyHashMemo()
registerCache('accepted-key-hashes', { size: () => acceptedKeyHashes.size, bound: MAX_KEYS, unit: 'entries' })
