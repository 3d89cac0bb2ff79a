import { describe, expect, it } from 'vitest'
import { compilePolicy } from './compile.ts'
import { environmentFrom } from './environment.ts'
import { formatPolicyIssues } from './errors.ts'

// Fixture table (Envoy's pattern): every invalid case is paired with its exact `file:line path: message`.
const files = import.meta.glob<string>('./test/fixtures/**/*.{yaml,expected}', { query: '?raw', import: 'default', eager: true })
/**
 * One case per `<kind>/<case>.yaml`, or per directory `<kind>/<case>/` whose files are compiled
 * together, in name order (cross-file cases); either way the expected text is `<kind>/<case>.expected`.
 */
const cases = (kind: 'valid' | 'invalid') => {
  const grouped = new Map<string, { path: string; text: string }[]>()
  for (const [path, text] of Object.entries(files)) {
    const match = new RegExp(`/fixtures/(${kind}/[^/]+?)(?:\\.yaml|/[^/]+\\.yaml)$`).exec(path)
    if (match) grouped.set(match[1]!, [...(grouped.get(match[1]!) ?? []), { path: path.replace(/^.*fixtures\//, ''), text }])
  }
  return [...grouped].map(([name, sources]) => ({
    name: sources.length === 1 && sources[0]!.path === `${name}.yaml` ? sources[0]!.path : `${name}/`,
    sources: sources.sort((a, b) => a.path.localeCompare(b.path)),
    expected: files[`./test/fixtures/${name}.expected`],
  }))
}

const withoutHints = (text: string) => text.replace(/ — hint: .*$/gm, '')
/** `invalid/production-*.yaml` are compiled as infra compiles: for production. */
const environmentOf = (name: string) => (/\/production-/.test(name) ? 'production' : 'local')

describe('policy compiler', () => {
  it.each(cases('valid'))('compiles $name', async ({ sources }) => {
    const result = await compilePolicy(sources)
    if (!result.ok) throw new Error(formatPolicyIssues(result.error))
    expect(result.value.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it.each(cases('invalid'))('rejects $name with its exact message', async ({ name, sources, expected }) => {
    const result = await compilePolicy(sources, { environment: environmentOf(name) })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(withoutHints(formatPolicyIssues(result.error))).toBe(expected?.trim())
  })

  it('every invalid fixture has its expected message', () => {
    for (const c of cases('invalid')) expect(c.expected, c.name).toBeTypeOf('string')
  })

  it('merges files and reports an entry defined twice with both places', async () => {
    const a = 'providers:\n  mock: { type: mock }\n'
    const b = '# other file\nproviders:\n  mock: { type: mock, latency_ms: 5 }\n'
    const result = await compilePolicy([{ path: 'a.yaml', text: a }, { path: 'b.yaml', text: b }])
    expect(result.ok).toBe(false)
    if (!result.ok) expect(withoutHints(formatPolicyIssues(result.error))).toBe('b.yaml:3 providers.mock: already defined in a.yaml:2')
  })

  it('collects referenced secrets and indexes keys by hash', async () => {
    const result = await compilePolicy([{ path: 'p.yaml', text: files['./test/fixtures/valid/compatible-with-var.yaml']! }])
    expect(result.ok && result.value.secrets).toEqual(['OLLAMA_TOKEN', 'OPENAI_API_KEY'])
    const minimal = await compilePolicy([{ path: 'm.yaml', text: files['./test/fixtures/valid/minimal.yaml']! }])
    expect(minimal.ok && minimal.value.keys['ab'.repeat(32)]).toEqual({ project: 'p', keyId: 'k', localOnly: false })
  })

  it('hashes the same policy the same way and a changed policy differently', async () => {
    const text = files['./test/fixtures/valid/minimal.yaml']!
    const one = await compilePolicy([{ path: 'x.yaml', text }])
    const two = await compilePolicy([{ path: 'x.yaml', text: `# a comment changes nothing\n${text}` }])
    const three = await compilePolicy([{ path: 'x.yaml', text: text.replace('type: mock', 'type: mock, latency_ms: 1') }])
    expect(one.ok && two.ok && one.value.hash === two.value.hash).toBe(true)
    expect(one.ok && three.ok && one.value.hash !== three.value.hash).toBe(true)
  })

  it('keeps mock targets and local-only keys locally, refuses them for production', async () => {
    for (const name of ['invalid/production-mock-target.yaml', 'invalid/production-local-only-key.yaml']) {
      const text = files[`./test/fixtures/${name}`]!
      expect((await compilePolicy([{ path: name, text }])).ok, name).toBe(true)
      expect((await compilePolicy([{ path: name, text }], { environment: 'production' })).ok, name).toBe(false)
    }
  })

  it('does not repeat what follows from an earlier error: references into a file that failed are not unknown', async () => {
    const providers = 'providers:\n  openai: { type: openai, api_key: { secret: OPENAI_API_KEY } }\n  groq: { type: groq, api_key: { secret: GROQ_API_KEY }, timeout_ms: 5 }\n'
    const models = 'models:\n  fast:\n    targets:\n      - provider: openai\n      - provider: groq\n      - provider: grok\n'
    const projects = 'projects:\n  p:\n    models: [fast, slow]\n'
    const result = await compilePolicy([
      { path: 'providers.yaml', text: providers },
      { path: 'models.yaml', text: models },
      { path: 'projects.yaml', text: projects },
    ])
    expect(result.ok).toBe(false)
    if (result.ok) return
    // The bad timeout is the one provider error; `grok` is defined nowhere, so it is still named (with what is known).
    expect(withoutHints(formatPolicyIssues(result.error)).split('\n')).toEqual([
      'providers.yaml:3 providers.groq.timeout_ms: must be ≥ 100',
      'models.yaml:6 models.fast.targets.2.provider: no provider "grok" (defined: openai, groq)',
      'projects.yaml:3 projects.p.models.1: no model alias "slow"',
    ])
  })

  it('reports nothing as unknown while a file is not even YAML (its entries cannot be known)', async () => {
    const result = await compilePolicy([
      { path: 'providers.yaml', text: 'providers:\n  openai: { type: openai\n' },
      { path: 'models.yaml', text: 'models:\n  fast:\n    targets: [{ provider: openai }]\n' },
    ])
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.map((i) => i.name)).toEqual(result.error.map(() => 'YamlSyntax'))
  })

  it('reads the environment from --env, then WATCHLLM_ENV, defaulting to local', () => {
    expect(environmentFrom(['--env', 'production'], {})).toBe('production')
    expect(environmentFrom(['--env=local'], { WATCHLLM_ENV: 'production' })).toBe('local')
    expect(environmentFrom([], { WATCHLLM_ENV: 'production' })).toBe('production')
    expect(environmentFrom([], {})).toBe('local')
    expect(environmentFrom(['--env', 'staging'], {})).toBeUndefined()
  })
})
