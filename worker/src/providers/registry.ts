/** Every provider type policy may name → its adapter. A new provider is one file plus one line here. */
import type { ProviderType } from '../policy/schema.ts'
import { anthropic } from './anthropic.ts'
import { groq } from './groq.ts'
import { mock } from './mock.ts'
import { openai } from './openai.ts'
import { openaiCompatible } from './openai-compatible.ts'
import type { ProviderAdapter } from './types.ts'
import { workersAi } from './workers-ai.ts'

export const providers = {
  openai,
  anthropic,
  groq,
  'openai-compatible': openaiCompatible,
  'workers-ai': workersAi,
  mock,
} satisfies Record<ProviderType, ProviderAdapter>
