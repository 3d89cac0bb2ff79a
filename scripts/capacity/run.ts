/**
 * `npm run capacity`: the capacity model's table for 100, 1,000 and 10,000 requests/s, the
 * assumptions it used, and the documented limits in the order traffic reaches them.
 * `-- --measure` re-measures the D1 cost of one event on this machine first (measure-d1-event.ts).
 */
import { ASSUMPTIONS, capacityTable, firstLimit, limitsReport, type Assumptions } from './model.ts'

async function main(): Promise<void> {
  const assumptions: Assumptions = { ...ASSUMPTIONS }
  if (process.argv.includes('--measure')) {
    const { measureEventCost } = await import('./measure-d1-event.ts') // node:sqlite only when asked
    const measured = await measureEventCost()
    console.log(`measured on this machine: ${measured.bytesPerEvent} B of D1 per event (its JSON: ${measured.eventJsonBytes} B), ${measured.msPerBatchOf100} ms per batch of 100`)
    assumptions.d1BytesPerEvent = measured.bytesPerEvent
    assumptions.msPerBatch = measured.msPerBatchOf100
  }
  console.log('assumptions:')
  for (const [name, value] of Object.entries(assumptions)) console.log(`  ${name} = ${value}`)
  console.log(`\n${capacityTable(assumptions)}\n`)
  const first = firstLimit(assumptions)
  console.log(`first documented limit reached: ~${Math.round(first.rps).toLocaleString('en-US')} req/s — ${first.limit.what}\n`)
  console.log(limitsReport(assumptions))
}

await main()
