/**
 * What of a chat request the semantic cache may compare, and what must match exactly. Pure.
 *
 * Only the last user message is compared by meaning. Everything else that can change the answer —
 * project, namespace, model route, embedder, system prompt, earlier turns, tools, parameters — is
 * hashed into the context key, and an entry is only ever a candidate for requests with the same
 * key (a filter in the vector index, not a score).
 */
import { answerRelevant } from '../canonical-key.ts'
import { canonicalJson, sha256Hex } from '../../lib/hash.ts'
import { err, ok, type Result } from '../../lib/result.ts'
import type { SemanticCachePolicy } from '../../policy/schema.ts'

export type Ineligible =
  | 'no_messages'
  | 'last_not_user'
  | 'not_plain_text'
  | 'too_short'
  | 'too_many_turns'
  | 'has_tools'
  | 'several_choices'

export interface SemanticQuestion {
  /** The last user message's text: what the embedding and the decision compare. */
  question: string
  /** The request without that text (earlier turns and parameters), for the context key. */
  rest: Record<string, unknown>
}

type Eligibility = Pick<SemanticCachePolicy, 'max_turns' | 'min_prompt_chars' | 'allow_tools'>

/** The question to compare, or why the request may not use the semantic cache. */
export function semanticQuestionOf(body: Record<string, unknown>, policy: Eligibility): Result<SemanticQuestion, Ineligible> {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) return err('no_messages')
  const last = messages[messages.length - 1] as Record<string, unknown> | null
  if (!last || typeof last !== 'object' || last.role !== 'user') return err('last_not_user')
  const question = plainText(last.content)
  if (question === undefined) return err('not_plain_text')
  if (question.trim().length < policy.min_prompt_chars) return err('too_short')
  const earlier = messages.slice(0, -1)
  if (earlier.filter((m) => (m as Record<string, unknown> | null)?.role === 'user').length > policy.max_turns) return err('too_many_turns')
  if (!policy.allow_tools && usesTools(body, earlier)) return err('has_tools')
  if (typeof body.n === 'number' && body.n > 1) return err('several_choices')
  return ok({ question, rest: { ...body, messages: earlier } })
}

export interface ContextParts {
  project: string
  namespace: string
  alias: string
  /** Provider types and models of the route's targets: re-routing an alias starts a new context. */
  route: string
  embedder: string
  dimensions: number
}

/** The context key: sha256 hex of the parts and the request's answer-relevant rest. */
export function contextKey(parts: ContextParts, rest: Record<string, unknown>): string {
  return sha256Hex(canonicalJson({ v: 1, ...parts, body: answerRelevant(rest) }))
}


/** An entry's id: one per (context, question), so re-asking replaces rather than duplicates. */
export function entryId(context: string, question: string): string {
  return sha256Hex(`${context}\u0000${question}`)
}

/** A string, or text-only parts joined (as the exact key does); undefined for anything else. */
function plainText(content: unknown): string | undefined {
  if (typeof content === 'string') return content
  if (!Array.isArray(content) || content.length === 0) return undefined
  let text = ''
  for (const part of content) {
    const p = part as Record<string, unknown> | null
    if (!p || p.type !== 'text' || typeof p.text !== 'string') return undefined
    text += p.text
  }
  return text
}

function usesTools(body: Record<string, unknown>, earlier: unknown[]): boolean {
  const declared = (v: unknown) => Array.isArray(v) && v.length > 0
  if (declared(body.tools) || declared(body.functions)) return true
  return earlier.some((m) => {
    const message = m as Record<string, unknown> | null
    return message?.role === 'tool' || message?.role === 'function' || declared(message?.tool_calls)
  })
}
