import { beforeEach, describe, expect, it } from 'vitest'
import { adopt, drawLocal, forgetLeases, giveBack, LEASE_USABLE_MS, leftOn, rateOf, returning } from './leases.ts'
import type { AdmitAnswer, Holding } from './protocol.ts'

const T0 = 1_000_000
const h = (budgets: Record<string, number>, requests = 0, tokens = 0): Holding => ({ requests, tokens, budgets })
const grant = (extra: Holding, room: Record<string, number> = { daily: 10 }): AdmitAnswer => ({
  held: h({ daily: 1 }, 1, 100),
  extra,
  room,
  rate: { requests: { limit: 60, remaining: 50, resetMs: 10_000 } },
  alias: 'm',
  crossings: [],
})

beforeEach(forgetLeases)

describe("an isolate's leases", () => {
  it('admits locally while the lease covers the whole request, and says how far a stream may run', () => {
    adopt('s', 'L1', grant(h({ daily: 3 }, 3, 1000)), T0)
    const first = drawLocal('s', h({ daily: 1 }, 1, 100), T0)
    expect(first?.room).toEqual({ daily: 9 }) // 10 of room at grant, 1 held by the request it came with
    expect(drawLocal('s', h({ daily: 1 }, 1, 100), T0)?.room).toEqual({ daily: 8 })
    expect(leftOn('s', T0)).toEqual(h({ daily: 1 }, 1, 800))
    expect(rateOf(first!.lease).requests?.remaining).toBe(51) // the bucket's 50, plus the lease's 1 still unused
  })

  it('sends a request the lease cannot cover to the ledger, retiring the lease so its rest goes back with that call', () => {
    adopt('s', 'L1', grant(h({ daily: 0.5 }, 5, 1000)), T0)
    expect(drawLocal('s', h({ daily: 1 }, 1, 100), T0)).toBeUndefined()
    expect(returning('s')).toEqual([{ id: 'L1', unused: h({ daily: 0.5 }, 5, 1000) }])
    expect(returning('s')).toEqual([])
  })

  it('stops using a lease after LEASE_USABLE_MS', () => {
    adopt('s', 'L1', grant(h({ daily: 3 }, 3, 1000)), T0)
    expect(drawLocal('s', h({ daily: 1 }), T0 + LEASE_USABLE_MS)).toBeUndefined()
    expect(returning('s').map((r) => r.id)).toEqual(['L1'])
  })

  it('takes back what a refused request held, into the lease it came from (even once retired)', () => {
    adopt('s', 'L1', grant(h({ daily: 3 }, 3, 1000)), T0)
    drawLocal('s', h({ daily: 1 }, 1, 100), T0)
    expect(giveBack('s', 'L1', h({ daily: 1 }, 1, 100))).toBe(true)
    expect(leftOn('s', T0)).toEqual(h({ daily: 3 }, 3, 1000))
    adopt('s', 'L2', grant(h({ daily: 2 })), T0)
    expect(giveBack('s', 'L1', h({ daily: 1 }))).toBe(true)
    expect(returning('s')).toEqual([{ id: 'L1', unused: h({ daily: 4 }, 3, 1000) }])
    expect(giveBack('s', 'gone', h({ daily: 1 }))).toBe(false)
  })
})
