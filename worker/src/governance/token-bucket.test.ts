import { describe, expect, it } from 'vitest'
import { adjust, levelAt, snapshot, take } from './token-bucket.ts'

const spec = { limit: 60, windowMs: 60_000 } // one token a second

describe('token bucket', () => {
  it('starts full and takes until empty, then refuses with the exact wait', () => {
    let state
    for (let i = 0; i < 60; i++) {
      const t = take(spec, state, 0, 1)
      if (!t.ok) throw new Error(`refused at ${i}`)
      state = t.state
    }
    const refused = take(spec, state, 0, 1)
    expect(refused).toEqual({ ok: false, retryAfterMs: 1000, remaining: 0 })
    expect(take(spec, state, 1000, 1).ok).toBe(true)
  })

  it('refills continuously, never above the limit', () => {
    const empty = { level: 0, at: 0 }
    expect(levelAt(spec, empty, 30_000)).toBe(30)
    expect(levelAt(spec, empty, 10 * 60_000)).toBe(60)
  })

  it('refuses more than the whole limit with no retry time (waiting cannot help)', () => {
    expect(take(spec, undefined, 0, 61)).toEqual({ ok: false, retryAfterMs: null, remaining: 60 })
  })

  it('takes nothing when it refuses', () => {
    const state = { level: 5, at: 0 }
    expect(take(spec, state, 0, 10).ok).toBe(false)
    expect(levelAt(spec, state, 0)).toBe(5)
  })

  it('corrects after the fact: a refund caps at the limit, a debit may go below zero', () => {
    expect(adjust(spec, { level: 50, at: 0 }, 0, 30)).toEqual({ level: 60, at: 0 })
    const debited = adjust(spec, { level: 5, at: 0 }, 0, -20)
    expect(debited.level).toBe(-15)
    expect(take(spec, debited, 0, 1)).toMatchObject({ ok: false, retryAfterMs: 16_000 })
  })

  it('reports remaining and the time until full, as the x-ratelimit headers need', () => {
    expect(snapshot(spec, { level: 45.5, at: 0 }, 0)).toEqual({ limit: 60, remaining: 45, resetMs: 14_500 })
    expect(snapshot(spec, undefined, 0)).toEqual({ limit: 60, remaining: 60, resetMs: 0 })
  })
})
