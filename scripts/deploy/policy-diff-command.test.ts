/** Where `npm run preview` and `npm run policy:diff` get the deployed side from, and what they print. */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { loadPolicyDir } from '../../worker/src/policy/load.ts'
import { deployedPolicy, policyAtRevision, printPolicyDiff, stackPolicyDir, type Run } from './policy-diff-command.ts'

const productionDir = 'infra/testing/production-policy'

describe('the deployed side', () => {
  it('is the stack’s deployedPolicy output, read with the Pulumi CLI; none when the stack has none', async () => {
    const compiled = await loadPolicyDir(productionDir, { environment: 'production' })
    if (!compiled.ok) throw new Error('fixture must compile')
    const seen: string[][] = []
    const run: Run = (cmd, args) => {
      seen.push([cmd, ...args])
      return JSON.stringify(compiled.value)
    }
    expect(deployedPolicy(['--stack', 'prod'], run)?.hash).toBe(compiled.value.hash)
    expect(seen).toEqual([['pulumi', 'stack', 'output', 'deployedPolicy', '--json', '--stack', 'prod']])
    const failing: Run = () => {
      throw new Error('error: current stack does not have output property deployedPolicy')
    }
    expect(deployedPolicy([], failing)).toBeUndefined()
    expect(stackPolicyDir([], failing)).toBe('policies')
    expect(stackPolicyDir(['--stack', 'prod'], () => 'policies-prod\n')).toBe('policies-prod')
  })

  it('or the policy at a git revision (what a reviewer compares against)', async () => {
    const atHead = await policyAtRevision('HEAD', 'policies')
    const committed = execFileSync('git', ['ls-tree', '--name-only', 'HEAD', 'policies/'], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.yaml'))
    expect(atHead?.sources).toEqual(committed)
    expect(committed).toContain('policies/models.yaml')
    expect(await policyAtRevision('HEAD', 'no-such-dir')).toBeUndefined()
  })
})

describe('printPolicyDiff', () => {
  it('prints the change against the deployed policy', async () => {
    const lines: string[] = []
    expect(await printPolicyDiff(productionDir, undefined, 'what dev deployed', (l) => lines.push(l))).toBe(true)
    expect(lines[0]).toBe('Policy changes against what dev deployed:')
    expect(lines[1]).toMatch(/^policy \(none deployed\) → [0-9a-f]{12}$/)
    expect(lines).toContain('  + models.claude-haiku-4-5: {kind: chat, targets: [anthropic/claude-haiku-4-5], retry: {attempts: 0, backoff_ms: 100}, timeout_ms: 60000}')
  })

  it('stops with the compiler’s file:line messages when the new policy cannot be deployed', async () => {
    const lines: string[] = []
    expect(await printPolicyDiff('policies', undefined, 'dev', (l) => lines.push(l))).toBe(false)
    expect(lines.join('\n')).toMatch(/^policies\/models\.yaml:\d+ models\.gpt-4o-mini\.targets\.2\.provider: routes to the mock provider/)
    expect(lines.join('\n')).toMatch(/problem\(s\) in policies\/: nothing can be deployed until they are fixed$/)
  })
})
