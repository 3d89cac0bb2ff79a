#!/usr/bin/env node
// `npm run policy:check [dir]`: compile the policy without building anything. Prints
// `file:line path: message — hint: …` for each problem and exits 1, or the hash and exits 0.
import { formatPolicyIssues, loadPolicyDir } from '../worker/src/policy/load.ts'

const dir = process.argv[2] ?? process.env.WATCHLLM_POLICY_DIR ?? 'policies'
const result = await loadPolicyDir(dir)
if (!result.ok) {
  console.error(formatPolicyIssues(result.error))
  console.error(`\n${result.error.length} problem(s) in ${dir}/`)
  process.exit(1)
}
const p = result.value
console.log(
  `${dir}/ ok — hash ${p.hash.slice(0, 12)}: ${Object.keys(p.projects).length} project(s), ${Object.keys(p.models).length} model alias(es), ${Object.keys(p.providers).length} provider(s), ${Object.keys(p.experiments).length} experiment(s); secrets: ${p.secrets.join(', ') || 'none'}`,
)
