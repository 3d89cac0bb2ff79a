import { describe, expect, it } from 'vitest'
import { compilePolicy, type CompiledPolicy } from '../policy/compile.ts'
import { priceSubjectFor } from './price-subject.ts'

const compiled = await compilePolicy([
  {
    path: 'p.yaml',
    text: `
providers:
  openai: { type: openai, api_key: { secret: OPENAI_API_KEY } }
  together: { type: openai-compatible, base_url: https://api.together.xyz/v1 }
  cf: { type: workers-ai }
  mock: { type: mock }
models:
  gpt-4o-mini:
    targets: [{ provider: openai }, { provider: mock }]
  house:
    targets: [{ provider: mock, model: house-1 }]
  llama: { targets: [{ provider: together, model: meta-llama/Llama-3-8b-chat-hf }] }
`,
  },
])
if (!compiled.ok) throw new Error(JSON.stringify(compiled.error))
const policy: CompiledPolicy = compiled.value

describe('which price-table entry an answer is priced on', () => {
  it('a real provider by its type', () => {
    expect(priceSubjectFor(policy, { alias: 'gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini' })).toEqual({
      subject: { providerId: 'openai', model: 'gpt-4o-mini' },
      simulated: false,
    })
    expect(priceSubjectFor(policy, { alias: 'x', provider: 'cf', model: '@cf/meta/llama-3.1-8b-instruct' }).subject.providerId).toBe('cloudflare')
  })

  it('an OpenAI-compatible provider by its base URL', () => {
    expect(priceSubjectFor(policy, { alias: 'llama', provider: 'together', model: 'm' }).subject).toEqual({ model: 'm', providerApiUrl: 'https://api.together.xyz/v1' })
  })

  it('the mock as the real target it stands in for, flagged simulated', () => {
    expect(priceSubjectFor(policy, { alias: 'gpt-4o-mini', provider: 'mock', model: 'gpt-4o-mini' })).toEqual({
      subject: { providerId: 'openai', model: 'gpt-4o-mini' },
      simulated: true,
    })
    expect(priceSubjectFor(policy, { alias: 'house', provider: 'mock', model: 'house-1' })).toEqual({ subject: { model: 'house-1' }, simulated: true })
  })
})
