/** Every provider type policy may name → its adapter. A new provider is one file plus one line here. */
import type { ProviderType } from '../policy/schema.ts'
import { mock } from './mock.ts'
import { openai } from './openai.ts'
import { openaiCompatible } from './openai-compatible.ts'
import type { ProviderAdapter } from './types.ts'

export const providers: Partial<Record<ProviderType, ProviderAdapter>> = {
  openai,
  'openai-compatible': openaiCompatible,
  mock,
}
