#!/usr/bin/env node
// `npm run policy:check [-- --env production] [dir]`: compile the policy without building anything.
// Prints `file:line path: message — hint: …` for each problem and exits 1, or the hash and exits 0.
// The environment (`--env`, else WATCHLLM_ENV, else local) decides what is allowed: production
// refuses `mock` targets and `local_only` keys, as `npm run preview` and `pulumi up` do.
import { environmentFrom, formatPolicyIssues, loadPolicyDir } from '../worker/src/policy/load.ts'

let args = process.argv.slice(2)
// `npm run policy:check --env production` (no `--`): npm keeps `--env` itself and passes the value on.
const npmEnv = process.env.npm_config_env
if (npmEnv === 'true' && ['local', 'production'].includes(args[0])) args = ['--env', ...args]
else if (npmEnv && npmEnv !== 'true' && !args.some((a) => a.startsWith('--env'))) args = ['--env', npmEnv, ...args]

const environment = environmentFrom(args, process.env)
if (!environment) {
  console.error('--env must be local or production')
  process.exit(2)
}
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--env')
const dir = positional[0] ?? process.env.WATCHLLM_POLICY_DIR ?? 'policies'
const result = await loadPolicyDir(dir, { environment })
if (!result.ok) {
  console.error(formatPolicyIssues(result.error))
  console.error(`\n${result.error.length} problem(s) in ${dir}/ (${environment})`)
  process.exit(1)
}
const p = result.value
console.log(
  `${dir}/ ok for ${environment} — hash ${p.hash.slice(0, 12)}: ${Object.keys(p.projects).length} project(s), ${Object.keys(p.models).length} model alias(es), ${Object.keys(p.providers).length} provider(s), ${Object.keys(p.experiments).length} experiment(s); secrets: ${p.secrets.join(', ') || 'none'}`,
)
