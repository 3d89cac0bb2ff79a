/**
 * One Durable Object per scope — `project:<p>`, `key:<p>:<key id>`, `session:<p>:<session>` —
 * holding that scope's rate-limit buckets and budgets (governance/ledger.ts). A Durable Object
 * runs one call at a time and every method here is synchronous (SQLite-backed storage's sync KV
 * API), so an admission is atomic: two requests can never both take the last of a budget. Writes
 * are durable before the answer leaves (the runtime's output gate).
 *
 * State is loaded once per instance; a scope idle for IDLE_MS is deleted by its alarm, so sessions
 * that are never seen again do not accumulate.
 *
 * @example env.LEDGER.get(env.LEDGER.idFromName('project:support')).lease(call)
 */
import { DurableObject } from 'cloudflare:workers'
import { restoreAnomaly, type AnomalyMeta, type AnomalySpec, type Bucket } from '../governance/anomaly.ts'
import { emptyState, Ledger, type BudgetState, type Reservation } from '../governance/ledger.ts'
import type { AdmitAnswer, BudgetSpec, Holding, LeaseCall, ScopeView, SettleAnswer } from '../governance/protocol.ts'
import type { Settlement } from '../governance/settle-batch.ts'
import type { BucketSpec, BucketState } from '../governance/token-bucket.ts'

/** Longer than a month, so a monthly budget is never forgotten within its period. */
const IDLE_MS = 40 * 86_400_000
/** Last activity is written at most this often (one extra write per scope per hour, not per request). */
const ACTIVITY_EVERY_MS = 3_600_000

export class ScopeLedger extends DurableObject {
  private ledger: Ledger | undefined
  private activeWritten = 0
  /** What the current call changed: key → new value (undefined: deleted). */
  private readonly dirty = new Map<string, unknown>()

  /** Judges one request and, when it is admitted, grants it and a lease for the isolate's next ones. */
  lease(call: LeaseCall): AdmitAnswer {
    return this.use((ledger, now) => ledger.lease(call, now), 'unconfirmed')
  }

  /** Requests' holdings become their real costs (an isolate's batch: one call, one write transaction); anomalies are judged on them. */
  settleMany(items: Settlement[], budgets: BudgetSpec[], tokens?: BucketSpec, anomaly?: AnomalySpec): SettleAnswer {
    return this.use((ledger, now) => ledger.settleMany(items, budgets, tokens, anomaly, now))
  }

  release(id: string, unused: Holding, rate: LeaseCall['rate']): void {
    this.use((ledger, now) => ledger.release(id, unused, rate, now), 'unconfirmed')
  }

  /** Read-only: a scope that was never used stays empty (and so is not stored at all). */
  view(budgets: BudgetSpec[], rate: LeaseCall['rate']): ScopeView {
    return this.use((ledger, now) => ledger.view(budgets, rate, now), 'read')
  }

  override async alarm(): Promise<void> {
    const active = this.ctx.storage.kv.get<number>('active') ?? 0
    if (Date.now() - active < IDLE_MS) await this.ctx.storage.setAlarm(active + IDLE_MS)
    else {
      this.ledger = undefined
      await this.ctx.storage.deleteAll()
    }
  }

  /**
   * Runs one call. `unconfirmed` (lease, release — the request path): the answer does not wait for
   * the writes to reach disk (`allowUnconfirmed`); they are still applied in order, and a crash in
   * that instant loses at most the in-flight reservations, whose requests still settle their real
   * cost. Settlements (off the request path) are written confirmed.
   */
  private use<T>(work: (ledger: Ledger, now: number) => T, mode: 'confirmed' | 'unconfirmed' | 'read' = 'confirmed'): T {
    const now = Date.now()
    const result = work(this.ledgerOf(), now)
    // Each key changed by the call is written once, whatever number of changes it saw (a batch of
    // settlements touches the same budget and lease many times).
    const storage = this.ctx.storage
    for (const [key, value] of this.dirty) {
      if (mode !== 'unconfirmed') void (value === undefined ? storage.kv.delete(key) : storage.kv.put(key, value))
      else void (value === undefined ? storage.delete(key, { allowUnconfirmed: true }) : storage.put(key, value, { allowUnconfirmed: true }))
    }
    this.dirty.clear()
    if (mode !== 'read' && now - this.activeWritten > ACTIVITY_EVERY_MS) {
      this.activeWritten = now
      this.ctx.storage.kv.put('active', now)
      void this.ctx.storage.setAlarm(now + IDLE_MS)
    }
    return result
  }

  private ledgerOf(): Ledger {
    if (this.ledger) return this.ledger
    const kv = this.ctx.storage.kv
    const state = emptyState()
    const spend: [string, Bucket][] = []
    for (const [key, value] of kv.list<unknown>()) {
      if (key === 'bucket:requests' || key === 'bucket:tokens') state.buckets[key.slice(7) as 'requests' | 'tokens'] = value as BucketState
      else if (key.startsWith('budget:')) state.budgets.set(key.slice(7), value as BudgetState)
      else if (key.startsWith('res:')) state.reservations.set(key.slice(4), value as Reservation)
      else if (key.startsWith('anom:')) spend.push([key, value as Bucket])
    }
    const anomaly = restoreAnomaly(kv.get<AnomalyMeta>('anomaly'), spend)
    if (anomaly) state.anomaly = anomaly
    this.ledger = new Ledger(state, (key, value) => void this.dirty.set(key, value))
    return this.ledger
  }
}
