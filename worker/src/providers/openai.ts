/**
 * OpenAI, through the official `openai` SDK. The compatible base, plus the Responses API passed
 * through natively (openai-responses.ts); the SDK supplies the default base URL.
 *
 * @example
 * // policies/providers.yaml
 * // openai: { type: openai, api_key: { secret: OPENAI_API_KEY } }
 */
import { openAiClient, openAiStyleAdapter, openAiWire } from './openai-compatible.ts'
import { openAiResponses } from './openai-responses.ts'
import type { ProviderAdapter } from './types.ts'

export const openai: ProviderAdapter = { ...openAiStyleAdapter('openai', openAiClient, openAiWire), responses: openAiResponses }
