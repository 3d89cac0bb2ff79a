#!/usr/bin/env node
// @ts-check
// `npm run bench`: the gateway's cost as ratios measured in one run. `core` (bench/core.mjs) compares
// the gateway at its own front door with a bare forwarding Worker and a constant Worker in the same
// runtime; the other parts each print their own table. The whole run is bounded (BENCH_TIMEOUT_S,
// default 1500): past it, or on an error or a signal, everything it started is stopped by process group.
//
// BENCH_PARTS=core,relay,semantic,telemetry,governance,limits,anomaly,native,security (default: all) runs a subset.
import { runBounded } from './lib/processes.mjs'

const ALL = ['core', 'relay', 'semantic', 'telemetry', 'governance', 'limits', 'anomaly', 'native', 'security']
const parts = (process.env.BENCH_PARTS ?? ALL.join(',')).split(',').map((p) => p.trim())
const unknown = parts.filter((p) => !ALL.includes(p))

runBounded(
  'npm run bench',
  async () => {
    if (unknown.length) throw new Error(`unknown BENCH_PARTS ${unknown.join(', ')} (known: ${ALL.join(', ')})`)
    for (const part of ALL) {
      if (!parts.includes(part)) continue
      // Each part's module, imported only when it runs (bench/imports.test.ts checks what they import).
      /** @type {{ run: () => Promise<void> }} */
      const mod = await import(new URL(`./${part}.mjs`, import.meta.url).href).catch((e) => {
        throw new Error(`bench part ${part} failed to load: ${e instanceof Error ? e.message : e}`)
      })
      await mod.run().catch((e) => {
        throw new Error(`bench part ${part}: ${e instanceof Error ? e.message : e}`)
      })
    }
  },
  Number(process.env.BENCH_TIMEOUT_S ?? 1500) * 1000,
)
