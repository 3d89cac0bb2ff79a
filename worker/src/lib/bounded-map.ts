/**
 * The isolate-level maps (SDK clients, accepted key hashes, lease scopes, anomaly blocks) hold at
 * most a fixed number of entries: a new key evicts the oldest one (Map keeps insertion order), so
 * an isolate's memory stays bounded whatever the traffic.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next()
    if (!oldest.done) map.delete(oldest.value)
  }
  map.set(key, value)
}
