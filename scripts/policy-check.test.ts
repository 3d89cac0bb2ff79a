/**
 * `npm run policy:check` as a team member runs it: the demo policy passes, and a rule whose regular
 * expression can backtrack catastrophically is refused with its file, line and path — before any
 * Worker is built, so such a pattern never runs on a crafted prompt.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const dirs: string[] = []

function check(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules/.bin/node'), ['scripts/policy-check.mjs', dir], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'watchllm-policy-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('npm run policy:check', () => {
  it('accepts the demo policy, its experiment, rules and PII guard included', async () => {
    const result = await check('policies')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^policies\/ ok for local — hash [0-9a-f]{12}: 1 project\(s\), \d+ model alias\(es\), \d+ provider\(s\), 1 experiment\(s\)/)
  })

  it('refuses a catastrophic pattern with file:line path: message — hint, and exits 1', async () => {
    const dir = policyDir({
      'providers.yaml': 'providers:\n  mock: { type: mock }\nmodels:\n  m: { targets: [{ provider: mock }] }\n',
      'projects.yaml': [
        'projects:',
        '  support:',
        '    rules:',
        '      - id: fine',
        "        when: [{ kind: regex, pattern: '\\bpassword\\b', flags: i }]",
        '        then: { kind: flag }',
        '      - id: nested',
        "        when: [{ kind: regex, pattern: '^(\\w+\\s?)+$' }]",
        '        then: { kind: block }',
        '',
      ].join('\n'),
    })
    const result = await check(dir)
    expect(result.code).toBe(1)
    const file = join(dir, 'projects.yaml').replace(`${root}/`, '')
    expect(result.stderr).toContain(
      `${file}:8 projects.support.rules.1.when.0.pattern: /^(\\w+\\s?)+$/ can backtrack catastrophically (exponential time on a long run of "A", self) — hint: anchor the repeated part`,
    )
    expect(result.stderr).toContain('1 problem(s)')
  })
})
