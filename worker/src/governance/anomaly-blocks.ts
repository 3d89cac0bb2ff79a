/**
 * Anomaly blocks this isolate knows of, per scope ledger: learnt from a ledger that refused a
 * lease, or from a settlement that reported a block in force. A scope blocked here is refused
 * without asking its ledger (a runaway client costs no Durable Object calls while blocked) until
 * the block ends. Deliberate isolate-level state, bounded by MAX_SCOPES (oldest dropped first);
 * a block this isolate has not heard of is still refused by the ledger at its next lease.
 */
import type { AnomalyReport } from './anomaly.ts'
import { registerCache } from '../lib/isolate-caches.ts'
import { setBounded } from '../lib/bounded-map.ts'

const MAX_SCOPES = 10_000
const blocks = new Map<string, AnomalyReport>()
registerCache('anomaly-blocks', { size: () => blocks.size, bound: MAX_SCOPES, unit: 'entries' })

export function holdBlock(name: string, report: AnomalyReport): void {
  blocks.delete(name)
  setBounded(blocks, name, report, MAX_SCOPES)
}

/** The block in force on ledger `name`, if this isolate knows of one. */
export function blockOn(name: string, now: number): AnomalyReport | undefined {
  const report = blocks.get(name)
  if (report && now < report.until) return report
  if (report) blocks.delete(name)
  return undefined
}

/** Forgets every block (tests start from a clean isolate). */
export function forgetBlocks(): void {
  blocks.clear()
}
