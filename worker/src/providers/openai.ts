/**
 * OpenAI, through the official `openai` SDK. Identical to the compatible base except for its id
 * (and the default base URL, which the SDK supplies).
 *
 * @example
 * // policies/providers.yaml
 * // openai: { type: openai, api_key: { secret: OPENAI_API_KEY } }
 */
import { openAiClient, openAiStyleAdapter } from './openai-compatible.ts'

export const openai = openAiStyleAdapter('openai', openAiClient)
