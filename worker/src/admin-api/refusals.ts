/**
 * Refused admin API calls, counted in aggregate: one counter per (hour, door, status) in this
 * isolate, added to `admin_refusals` at most once a minute per isolate in one batch. Unauthenticated
 * callers can no longer turn each request into a D1 write (the review's way to burn the write
 * quota): however many refusals an isolate sees, it writes at most once a minute, and holds at
 * most MAX_KEYS counters. Counts an isolate took but had not yet written when it was evicted
 * (under a minute's worth) are lost: this is a rate, not a ledger. Each refusal is also in the
 * request's log line.
 */

const FLUSH_EVERY_MS = 60_000
const HOUR_MS = 3_600_000
const MAX_KEYS = 64

export type AdminDoor = 'token' | 'admin-site'

const pending = new Map<string, { hour: number; door: AdminDoor; status: number; count: number }>()
let lastFlush = 0

const UPSERT = `INSERT INTO admin_refusals (hour, door, status, count)
SELECT value ->> '$.hour', value ->> '$.door', value ->> '$.status', value ->> '$.count' FROM json_each(?1) WHERE true
ON CONFLICT (hour, door, status) DO UPDATE SET count = count + excluded.count`

/** Counts one refusal; returns the write to wait on when this call is the one that flushes. */
export function countRefusal(db: D1Database, door: AdminDoor, status: number, now: number): Promise<void> | undefined {
  const hour = now - (now % HOUR_MS)
  const key = `${hour}\0${door}\0${status}`
  const entry = pending.get(key)
  if (entry) entry.count++
  else if (pending.size < MAX_KEYS) pending.set(key, { hour, door, status, count: 1 })
  if (now - lastFlush < FLUSH_EVERY_MS) return undefined
  lastFlush = now
  const batch = [...pending.values()]
  pending.clear()
  return db
    .prepare(UPSERT)
    .bind(JSON.stringify(batch))
    .run()
    .then(() => undefined)
    .catch((e: unknown) => {
      // Put the counts back for the next flush (bounded like the rest).
      for (const b of batch) {
        const k = `${b.hour}\0${b.door}\0${b.status}`
        const again = pending.get(k)
        if (again) again.count += b.count
        else if (pending.size < MAX_KEYS) pending.set(k, b)
      }
      console.error(JSON.stringify({ audit: 'refusals_write_failed', error: String(e).slice(0, 300) }))
    })
}

/** Test hook: forget counts and the flush clock (each test file starts a fresh isolate anyway). */
export function resetRefusalCounter(): void {
  pending.clear()
  lastFlush = 0
}
