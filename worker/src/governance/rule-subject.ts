/**
 * What the rules see of a request (`RuleSubject`): the alias, the body, headers and the client's
 * address, and the request's text and estimated prompt tokens — each worked out at most once, and
 * only if a rule asks.
 */
import type { RuleSubject, TextScope } from '../policy/rules/define.ts'

export interface SubjectInput {
  alias: string
  body: Record<string, unknown>
  header(name: string): string | undefined
}

export function ruleSubject(input: SubjectInput): RuleSubject {
  const texts = new Map<TextScope, string>()
  let tokens: number | undefined
  return {
    alias: input.alias,
    body: input.body,
    header: input.header,
    clientIp: input.header('cf-connecting-ip'),
    text(scope) {
      let text = texts.get(scope)
      if (text === undefined) texts.set(scope, (text = requestText(input.body, scope)))
      return text
    },
    promptTokens() {
      return (tokens ??= estimateTokens(input.body))
    },
  }
}

/** The text of a chat request's messages (or an embeddings request's input), joined by newlines. */
export function requestText(body: Record<string, unknown>, scope: TextScope): string {
  if (!Array.isArray(body.messages)) {
    const input = body.input
    if (scope === 'system') return ''
    return typeof input === 'string' ? input : Array.isArray(input) ? input.filter((i) => typeof i === 'string').join('\n') : ''
  }
  const messages = body.messages as { role?: unknown; content?: unknown }[]
  if (scope === 'last_user') {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return contentText(messages[i]!.content)
    return ''
  }
  const parts: string[] = []
  for (const m of messages) if (scope === 'messages' || m.role === 'system' || m.role === 'developer') parts.push(contentText(m.content))
  return parts.join('\n')
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const part of content as { type?: unknown; text?: unknown }[]) if (part?.type === 'text' && typeof part.text === 'string') text += (text ? '\n' : '') + part.text
  return text
}

/** About four characters a token over the messages' text, plus the few tokens each message costs. */
export function estimateTokens(body: Record<string, unknown>): number {
  const count = Array.isArray(body.messages) ? body.messages.length : 0
  return Math.ceil(requestText(body, 'messages').length / 4) + 4 * count
}
