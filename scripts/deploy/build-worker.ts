/**
 * `npm run build:worker`: builds the gateway exactly as deploys do (`wrangler deploy --dry-run
 * --outdir`), prints each module's raw and gzip size, and fails when the gzip total is over budget.
 *
 *   npm run build:worker                      # → dist/worker, budget 1 MiB gzip, policy checked for production
 *   npm run build:worker -- --out /tmp/w --budget-kib 800
 *   npm run build:worker -- --env local       # the local demo policy (mock targets), e.g. to measure its size
 *
 * A stack can deploy this prebuilt output with `watchllm:build.workerBundleDir: dist/worker`.
 */
import { parseArgs } from 'node:util'
import { buildWorkerBundle, formatBundleReport, readWorkerBundle } from '../../infra/lib/bundle.ts'
import { fromRepo } from '../../infra/lib/paths.ts'
import { readWranglerConfig } from '../../infra/lib/wrangler-config.ts'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'dist/worker' },
    config: { type: 'string', default: 'worker/wrangler.jsonc' },
    policy: { type: 'string', default: 'policies' },
    'budget-kib': { type: 'string', default: '1024' },
    env: { type: 'string', default: 'production' },
  },
})
if (values.env !== 'production' && values.env !== 'local') throw new Error(`--env must be production or local, got ${values.env}`)

const budgetKib = Number(values['budget-kib'])
if (!Number.isFinite(budgetKib) || budgetKib <= 0) throw new Error(`--budget-kib must be a positive number, got ${values['budget-kib']}`)
const config = fromRepo(values.config)
const outDir = fromRepo(values.out)
const declaration = await readWranglerConfig(config, values.config)

await buildWorkerBundle({ config, outDir, policyDir: fromRepo(values.policy), environment: values.env })
const bundle = await readWorkerBundle(outDir, declaration.main)
console.log(formatBundleReport(bundle, budgetKib * 1024))
if (bundle.gzipBytes > budgetKib * 1024) {
  console.error(`worker bundle is ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzip, over the ${budgetKib} KiB budget`)
  process.exitCode = 1
}
