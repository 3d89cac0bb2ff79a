/**
 * `{ kind: prompt_tokens, gt: 8000 }`: the request's estimated prompt size (about four characters a
 * token over every message's text, plus a few per message) — an estimate made before any tokenizer.
 *
 * @example when: [{ kind: prompt_tokens, gt: 8000 }]
 */
import { z } from 'zod'
import { bounds, defineCondition, inBounds, refineBounds } from './define.ts'

export const promptTokens = defineCondition({
  kind: 'prompt_tokens',
  params: z.object(bounds),
  refine: refineBounds,
  compile: (p) => (s) => inBounds(s.promptTokens(), p),
})
