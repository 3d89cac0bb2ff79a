/**
 * Settlements, batched per ledger in this isolate: the requests that finish within BATCH_WINDOW_MS
 * of each other settle in one call (one write transaction at the ledger) instead of one each — on
 * a busy scope that is most of what the limit stage costs, in CPU here and in Durable Object
 * requests billed in the cloud. Each request's `waitUntil` waits for the flush that carries it, so
 * the isolate stays alive until its spend is recorded; the thresholds a flush crosses become alerts
 * once, and so does an anomaly it trips (a block in force is remembered here, so this isolate
 * refuses the scope's next requests without asking). Reservations hold each request's worst case
 * until then, so admission stays exact.
 */
import type { GatewayEnv } from '../env.ts'
import type { ProjectPolicy } from '../policy/schema.ts'
import { recordCrossings } from './alerts.ts'
import { recordAnomaly } from './anomaly-alerts.ts'
import { holdBlock } from './anomaly-blocks.ts'
import type { AnomalySpec } from './anomaly.ts'
import { ledgerStub } from './ledger-client.ts'
import type { Actual, BudgetSpec, Holding, Scope, SettleAnswer } from './protocol.ts'
import type { BucketSpec } from './token-bucket.ts'

export const BATCH_WINDOW_MS = 50
const MAX_ITEMS = 100

export interface Settlement {
  leaseId: string
  held: Holding
  actual: Actual
  /** The request settled: names the one that tripped an anomaly. */
  requestId?: string
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
  anomaly?: AnomalySpec
}

interface Batch {
  target: SettleTarget
  items: Settlement[]
  timer: ReturnType<typeof setTimeout> | undefined
  /** The ledger's answer (undefined: the call failed), as soon as it comes; `done` once its alerts are out too. */
  answered: Promise<SettleAnswer | undefined>
  answer: (answer: SettleAnswer | undefined) => void
  done: Promise<void>
  release: () => void
}

// Deliberate isolate-level state: one open batch per ledger, each flushed within BATCH_WINDOW_MS.
const open = new Map<string, Batch>()

/** Adds one request's settlement to its ledger's open batch: `answered` once the ledger has answered, `done` once the batch is flushed. */
export function settleBatched(target: SettleTarget, item: Settlement): Pick<Batch, 'answered' | 'done'> {
  let batch = open.get(target.name)
  if (!batch) {
    let answer: Batch['answer'] = () => {}
    let release = () => {}
    const answered = new Promise<SettleAnswer | undefined>((resolve) => (answer = resolve))
    const done = new Promise<void>((resolve) => (release = resolve))
    batch = { target, items: [], timer: undefined, answered, answer, done, release }
    open.set(target.name, batch)
    const b = batch
    b.timer = setTimeout(() => void flush(b), BATCH_WINDOW_MS)
  }
  batch.target = target // the latest specs (a policy never changes under an isolate; this is cheap insurance)
  batch.items.push(item)
  if (batch.items.length >= MAX_ITEMS) void flush(batch)
  return { answered: batch.answered, done: batch.done }
}

async function flush(batch: Batch): Promise<void> {
  if (open.get(batch.target.name) !== batch) return
  open.delete(batch.target.name)
  clearTimeout(batch.timer)
  const { env, name, scope, subject, project, policy, budgets, tokens, anomaly } = batch.target
  let answer: SettleAnswer | undefined
  try {
    answer = await ledgerStub(env, name)?.settleMany(batch.items, budgets, tokens, anomaly)
    batch.answer(answer)
    if (answer?.blocking) holdBlock(name, answer.blocking)
    const crossings = answer?.crossings ?? []
    await Promise.all([
      crossings.length > 0 ? recordCrossings(env, project, policy, crossings.map((crossing) => ({ scope, subject, crossing }))) : undefined,
      answer?.flagged ? recordAnomaly(env, project, policy, { scope, subject, report: answer.flagged }) : undefined,
    ])
  } catch (e) {
    // The reservations expire at the ledger; the spend is still in the usage events.
    console.error(JSON.stringify({ limits: 'settle_failed', ledger: scope, items: batch.items.length, error: String(e) }))
  } finally {
    batch.answer(answer)
    batch.release()
  }
}
