/**
 * Settlements, batched per ledger in this isolate: the requests that finish within BATCH_WINDOW_MS
 * of each other settle in one call (one write transaction at the ledger) instead of one each — on
 * a busy scope that is most of what the limit stage costs, in CPU here and in Durable Object
 * requests billed in the cloud. Each request's `waitUntil` waits for the flush that carries it, so
 * the isolate stays alive until its spend is recorded; the thresholds a flush crosses become alerts
 * once. Reservations hold each request's worst case until then, so admission stays exact.
 */
import type { GatewayEnv } from '../env.ts'
import type { ProjectPolicy } from '../policy/schema.ts'
import { recordCrossings } from './alerts.ts'
import { ledgerStub } from './ledger-client.ts'
import type { Actual, BudgetSpec, Holding, Scope } from './protocol.ts'
import type { BucketSpec } from './token-bucket.ts'

export const BATCH_WINDOW_MS = 50
const MAX_ITEMS = 100

export interface Settlement {
  leaseId: string
  held: Holding
  actual: Actual
}

/** Who a batch settles for: the ledger, its specs, and where its alerts go. */
export interface SettleTarget {
  env: GatewayEnv
  name: string
  scope: Scope
  subject: string
  project: string
  policy: ProjectPolicy
  budgets: BudgetSpec[]
  tokens: BucketSpec | undefined
}

interface Batch {
  target: SettleTarget
  items: Settlement[]
  timer: ReturnType<typeof setTimeout> | undefined
  done: Promise<void>
  release: () => void
}

// Deliberate isolate-level state: one open batch per ledger, each flushed within BATCH_WINDOW_MS.
const open = new Map<string, Batch>()

/** Adds one request's settlement to its ledger's open batch; resolves once that batch is flushed. */
export function settleBatched(target: SettleTarget, item: Settlement): Promise<void> {
  let batch = open.get(target.name)
  if (!batch) {
    let release = () => {}
    const done = new Promise<void>((resolve) => (release = resolve))
    batch = { target, items: [], timer: undefined, done, release }
    open.set(target.name, batch)
    const b = batch
    b.timer = setTimeout(() => void flush(b), BATCH_WINDOW_MS)
  }
  batch.target = target // the latest specs (a policy never changes under an isolate; this is cheap insurance)
  batch.items.push(item)
  if (batch.items.length >= MAX_ITEMS) void flush(batch)
  return batch.done
}

async function flush(batch: Batch): Promise<void> {
  if (open.get(batch.target.name) !== batch) return
  open.delete(batch.target.name)
  clearTimeout(batch.timer)
  const { env, name, scope, subject, project, policy, budgets, tokens } = batch.target
  try {
    const crossings = (await ledgerStub(env, name)?.settleMany(batch.items, budgets, tokens)) ?? []
    if (crossings.length > 0) await recordCrossings(env, project, policy, crossings.map((crossing) => ({ scope, subject, crossing })))
  } catch (e) {
    // The reservations expire at the ledger; the spend is still in the usage events.
    console.error(JSON.stringify({ limits: 'settle_failed', ledger: scope, items: batch.items.length, error: String(e) }))
  } finally {
    batch.release()
  }
}
