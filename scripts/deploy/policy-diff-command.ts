/**
 * Where the two sides of a policy diff come from: the working tree's policy directory; the policy a
 * stack deployed (its `deployedPolicy` output, read with the Pulumi CLI); or the policy at a git
 * revision (what a pull request reviewer compares against).
 *
 *   npm run policy:diff                    # working tree against origin/main (or HEAD)
 *   npm run policy:diff -- --from v1.2.0   # against any git revision
 *   npm run policy:diff -- --stack prod    # against what the stack deployed (as `npm run preview` prints)
 *   npm run policy:diff -- --env local     # the local demo (mock targets allowed); production is the default
 */
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { compilePolicy } from '../../worker/src/policy/compile.ts'
import { formatPolicyIssues, loadPolicyDir, type CompiledPolicy, type PolicyEnvironment } from '../../worker/src/policy/load.ts'
import { diffPolicies } from './policy-diff.ts'

export type Run = (cmd: string, args: string[]) => string

const runCommand: Run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

/** The policy a stack deployed, or undefined (nothing deployed yet, or deployed before the output existed). */
export function deployedPolicy(stackArgs: string[], run: Run = runCommand): CompiledPolicy | undefined {
  try {
    const text = run('pulumi', ['stack', 'output', 'deployedPolicy', '--json', ...stackArgs])
    const parsed = JSON.parse(text) as CompiledPolicy | null
    return parsed && typeof parsed.hash === 'string' ? parsed : undefined
  } catch {
    return undefined
  }
}

/** The stack's policy directory (`watchllm:policyDir`), `policies` when unset. */
export function stackPolicyDir(stackArgs: string[], run: Run = runCommand): string {
  try {
    return run('pulumi', ['config', 'get', 'watchllm:policyDir', ...stackArgs]).trim() || 'policies'
  } catch {
    return 'policies'
  }
}

/** The policy as it was at a git revision; undefined when the directory did not exist there. */
export async function policyAtRevision(ref: string, dir: string, run: Run = runCommand): Promise<CompiledPolicy | undefined> {
  const names = run('git', ['ls-tree', '--name-only', ref, `${dir.replace(/\/+$/, '')}/`]).split('\n').filter((n) => /\.ya?ml$/.test(n)).sort()
  if (names.length === 0) return undefined
  const sources = names.map((path) => ({ path, text: run('git', ['show', `${ref}:${path}`]) }))
  const result = await compilePolicy(sources)
  if (!result.ok) throw new Error(`the policy at ${ref} does not compile:\n${formatPolicyIssues(result.error)}`)
  return result.value
}

/**
 * Compiles the working tree's policy for production and prints what changes against `before`.
 * Returns false (after printing the compiler's messages) when the new policy does not compile.
 */
export async function printPolicyDiff(
  dir: string,
  before: CompiledPolicy | undefined,
  label: string,
  print: (line: string) => void = console.log,
  environment: PolicyEnvironment = 'production',
): Promise<boolean> {
  const after = await loadPolicyDir(dir, { environment })
  if (!after.ok) {
    print(`${formatPolicyIssues(after.error)}\n\n${after.error.length} problem(s) in ${dir}/: nothing can be deployed until they are fixed`)
    return false
  }
  print(`Policy changes against ${label}:`)
  for (const line of diffPolicies(before, after.value)) print(line)
  return true
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, stack: { type: 'string', short: 's' }, env: { type: 'string', default: 'production' } },
  })
  const environment = values.env === 'local' ? 'local' : 'production'
  const stackArgs = values.stack ? ['--stack', values.stack] : []
  const dir = positionals[0] ?? (values.stack ? stackPolicyDir(stackArgs) : 'policies')
  let before: CompiledPolicy | undefined
  let label: string
  if (values.stack) {
    before = deployedPolicy(stackArgs)
    label = `stack ${values.stack}`
  } else {
    const ref = values.from ?? (() => {
      try {
        runCommand('git', ['rev-parse', '--verify', '--quiet', 'origin/main'])
        return 'origin/main'
      } catch {
        return 'HEAD'
      }
    })()
    before = await policyAtRevision(ref, dir)
    label = ref
  }
  if (!(await printPolicyDiff(dir, before, label, console.log, environment))) process.exitCode = 1
}
