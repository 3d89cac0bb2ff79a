/**
 * The prompt and answer text an opted-in project keeps in its events: readable (`role: text` per
 * message), redacted (PII kinds and credentials replaced) and truncated.
 */
import type { StoredAnswer } from '../env.ts'
import { redactForLog } from './redact.ts'

export function promptText(body: Record<string, unknown>, maxChars: number): string | null {
  if (Array.isArray(body.messages)) {
    const lines = (body.messages as Record<string, unknown>[]).map((m) => `${String(m.role ?? '?')}: ${contentText(m.content)}`)
    return redactForLog(lines.join('\n'), maxChars)
  }
  if (body.input !== undefined) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input]
    return redactForLog(inputs.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n'), maxChars)
  }
  return null
}

/** Chat answers only: an embedding's vector is not text worth keeping. */
export function answerText(answer: StoredAnswer, maxChars: number): string | null {
  if (answer.endpoint !== 'chat') return null
  let choices: unknown
  try {
    choices = (JSON.parse(answer.raw) as { choices?: unknown }).choices
  } catch {
    return null
  }
  if (!Array.isArray(choices)) return null
  const texts = (choices as { message?: { content?: unknown; tool_calls?: unknown } }[]).map((choice) => {
    const content = contentText(choice.message?.content)
    return content || (choice.message?.tool_calls ? `[tool calls] ${JSON.stringify(choice.message.tool_calls)}` : '')
  })
  return redactForLog(texts.join('\n---\n'), maxChars)
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return content == null ? '' : JSON.stringify(content)
  return (content as { type?: string; text?: string }[])
    .map((part) => (part.type === 'text' ? (part.text ?? '') : `[${part.type ?? 'part'}]`))
    .join(' ')
}
