/**
 * Rebuilds the complete ChatCompletion from a stream's chunks, for the cache and for usage.
 * It is only `complete` when every choice finished and the stream ended with [DONE]: a cut-off
 * stream must never be cached.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'

interface ChoiceState {
  content: string
  hasContent: boolean
  refusal: string | null
  toolCalls: Map<number, { id: string; name: string; arguments: string }>
  finish: ChatCompletion.Choice['finish_reason'] | null
}

export class CompletionAssembler {
  private id = ''
  private model = ''
  private created = 0
  private fingerprint: string | undefined
  private usage: CompletionUsage | undefined
  private readonly choices = new Map<number, ChoiceState>()
  private failed = false
  private done = false

  add(chunk: ChatCompletionChunk): void {
    this.id ||= chunk.id
    this.model ||= chunk.model
    this.created ||= chunk.created
    if (typeof chunk.system_fingerprint === 'string') this.fingerprint = chunk.system_fingerprint
    if (chunk.usage) this.usage = chunk.usage
    for (const c of chunk.choices ?? []) {
      let state = this.choices.get(c.index)
      if (!state) this.choices.set(c.index, (state = { content: '', hasContent: false, refusal: null, toolCalls: new Map(), finish: null }))
      if (typeof c.delta?.content === 'string') {
        state.content += c.delta.content
        state.hasContent = true
      }
      if (typeof c.delta?.refusal === 'string') state.refusal = (state.refusal ?? '') + c.delta.refusal
      for (const t of c.delta?.tool_calls ?? []) {
        let call = state.toolCalls.get(t.index)
        if (!call) state.toolCalls.set(t.index, (call = { id: '', name: '', arguments: '' }))
        if (t.id) call.id = t.id
        if (t.function?.name) call.name += t.function.name
        if (t.function?.arguments) call.arguments += t.function.arguments
      }
      if (c.finish_reason) state.finish = c.finish_reason
    }
  }

  /** An `{"error": …}` event mid-stream: the answer is incomplete whatever follows. */
  fail(): void {
    this.failed = true
  }

  end(): void {
    this.done = true
  }

  get usageSoFar(): CompletionUsage | undefined {
    return this.usage
  }

  /** The full answer, or undefined if the stream did not finish cleanly. */
  result(): ChatCompletion | undefined {
    if (this.failed || !this.done || this.choices.size === 0) return undefined
    const choices: ChatCompletion.Choice[] = []
    for (const [index, s] of [...this.choices].sort(([a], [b]) => a - b)) {
      if (!s.finish) return undefined
      const toolCalls: ChatCompletionMessageToolCall[] = [...s.toolCalls]
        .sort(([a], [b]) => a - b)
        .map(([, t]) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }))
      choices.push({
        index,
        finish_reason: s.finish,
        logprobs: null,
        message: {
          role: 'assistant',
          content: s.hasContent || toolCalls.length === 0 ? s.content : null,
          refusal: s.refusal,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
      })
    }
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices,
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.fingerprint !== undefined ? { system_fingerprint: this.fingerprint } : {}),
    }
  }
}
