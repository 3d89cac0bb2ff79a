import * as pulumi from '@pulumi/pulumi'
import { describe, expect, test } from 'vitest'
import { formatPolicyIssues, loadPolicyDir } from '../../worker/src/policy/load.ts'
import { tempTree } from '../testing/program.ts'
import { compilePolicyOrThrow, policyNeeds } from './policy.ts'

describe('compilePolicyOrThrow', () => {
  test('a production policy compiles; its secrets are what infra must bind', async () => {
    const policy = await compilePolicyOrThrow('infra/testing/production-policy', 'production')
    expect(policy.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(policy.secrets.length).toBeGreaterThan(0)
  })

  test('a plaintext key fails as a RunError whose message is exactly the compiler’s text', async () => {
    const dir = await tempTree({ 'providers.yaml': 'providers:\n  openai:\n    type: openai\n    api_key: sk-live-0123456789abcdef0123456789abcdef\n' })
    const compiled = await loadPolicyDir(dir)
    const expected = compiled.ok ? 'expected a failure' : formatPolicyIssues(compiled.error)
    const error = await compilePolicyOrThrow(dir, 'production').catch((e: unknown) => e)
    expect(pulumi.RunError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe(expected)
    expect(expected).toMatch(/providers\.yaml:4 providers\.openai\.api_key: /)
  })

  test('an empty directory is the compiler’s NoPolicyFiles error', async () => {
    await expect(compilePolicyOrThrow(await tempTree({}), 'production')).rejects.toThrow(/no \*\.yaml files found/)
  })

  test('the local demo policy compiles for local and is refused for production', async () => {
    await expect(compilePolicyOrThrow('policies', 'local')).resolves.toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    await expect(compilePolicyOrThrow('policies', 'production')).rejects.toThrow(/routes to the mock provider/)
  })
})

describe('policyNeeds', () => {
  test('lists projects on Redis and on the semantic cache', async () => {
    const needs = policyNeeds(await compilePolicyOrThrow('infra/testing/production-policy', 'production'))
    expect(needs.redisProjects).toEqual([])
    expect(needs.upstashLimitProjects).toEqual([])
    expect(needs.semanticProjects).toEqual(['demo'])
  })
})
