/**
 * L0: a bounded in-isolate LRU with per-entry expiry. Bounded by entry count and by total bytes,
 * so one isolate's memory stays predictable whatever the traffic.
 */
export class LruCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>()
  private bytes = 0
  private readonly maxEntries: number
  private readonly maxBytes: number
  private readonly now: () => number

  constructor(maxEntries: number, maxBytes: number, now: () => number = Date.now) {
    this.maxEntries = maxEntries
    this.maxBytes = maxBytes
    this.now = now
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.now()) {
      this.delete(key)
      return undefined
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: string, value: string, ttlSeconds: number): void {
    const size = value.length * 2
    if (size > this.maxBytes / 8) return // one huge answer must not flush the whole cache
    this.delete(key)
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 })
    this.bytes += size
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.delete(oldest)
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.bytes -= entry.value.length * 2
    this.entries.delete(key)
  }

  /** Bytes held (UTF-16 length of the values), never above maxBytes. */
  get byteSize(): number {
    return this.bytes
  }

  get limits(): { entries: number; bytes: number } {
    return { entries: this.maxEntries, bytes: this.maxBytes }
  }

  get size(): number {
    return this.entries.size
  }
}
