import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../upstream/upstream-error.ts'
import { checkAnthropicMessage, checkChatCompletion, checkEmbeddings, checkFirstChunk } from './answer-shape.ts'
import type { UpstreamCall } from './types.ts'
import { type WorkersAiBinding, workersAi } from './workers-ai.ts'

const bytes = (text: string, cut = 7): ReadableStream<Uint8Array> => {
  const all = new TextEncoder().encode(text)
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= all.length) return c.close()
      c.enqueue(all.slice(at, (at += cut)))
    },
  })
}
const kindOf = (f: () => unknown): string | undefined => {
  try {
    f()
  } catch (e) {
    return e instanceof UpstreamError ? `${e.kind} ${e.status}` : String(e)
  }
  return undefined
}
const completion = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] }

describe('answer shapes', () => {
  it('a chat completion passes; an error body, a bare object or no choices is a protocol error', () => {
    expect(checkChatCompletion(completion, 'p')).toBe(completion)
    expect(kindOf(() => checkChatCompletion({ error: { message: 'overloaded' } }, 'p'))).toBe('protocol 200')
    expect(kindOf(() => checkChatCompletion({ error: 'down' }, 'p'))).toBe('protocol 200')
    expect(kindOf(() => checkChatCompletion({ ...completion, choices: [] }, 'p'))).toBe('protocol 200')
    expect(kindOf(() => checkChatCompletion('<html>', 'p'))).toBe('protocol 200')
    expect(kindOf(() => checkChatCompletion([completion], 'p'))).toBe('protocol 200')
  })

  it('the error message is kept (scrubbed) for the logs', () => {
    try {
      checkChatCompletion({ error: { message: 'bad key sk-proj-abcdefghijklmnopqrstuvwx' } }, 'openai')
    } catch (e) {
      expect((e as Error).message).toContain('openai answered 200 with an error body')
      expect((e as Error).message).not.toContain('abcdefghijklmnop')
    }
  })

  it('embeddings and Anthropic messages are checked alike', () => {
    expect(kindOf(() => checkEmbeddings({ object: 'list', data: [{ embedding: [0.1] }] }, 'p'))).toBeUndefined()
    expect(kindOf(() => checkEmbeddings({ object: 'list', data: [{ embedding: 'AAAA' }] }, 'p'))).toBeUndefined()
    expect(kindOf(() => checkEmbeddings({ error: { message: 'x' } }, 'p'))).toBe('protocol 200')
    expect(kindOf(() => checkAnthropicMessage({ type: 'message', content: [] }, 'p'))).toBeUndefined()
    expect(kindOf(() => checkAnthropicMessage({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'p'))).toBe('protocol 200')
  })

  it("a stream's first event must be a chunk; the checked stream replays every byte", async () => {
    const sse = 'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"b"}}]}\n\ndata: [DONE]\n\n'
    const checked = await checkFirstChunk(bytes(sse), 'p')
    expect(await new Response(checked).text()).toBe(sse)
  })

  it('a stream opening with an error, with garbage, with no event, or that never frames one is refused', async () => {
    const refused = async (text: string, cut = 7) => {
      try {
        await checkFirstChunk(bytes(text, cut), 'p')
        return 'accepted'
      } catch (e) {
        return e instanceof UpstreamError ? e.kind : String(e)
      }
    }
    expect(await refused('data: {"error":{"message":"overloaded"}}\n\n')).toBe('protocol')
    expect(await refused('data: {not json\n\n')).toBe('protocol')
    expect(await refused(': just a comment\n\n')).toBe('protocol')
    expect(await refused('{"error":{"message":"json, not sse"}}')).toBe('protocol')
    expect(await refused('x'.repeat(1024 * 1024 + 10), 1024)).toBe('protocol')
  })

  it('Workers AI: an output without a response is a protocol error, so failover moves on', async () => {
    const ai: WorkersAiBinding = { run: async () => ({ errors: [{ message: 'internal' }] }) }
    const call = {
      target: { provider: 'workers-ai', config: { type: 'workers-ai', failover_on_auth_error: false }, model: '@cf/x', headers: {}, timeoutMs: 5000 },
      signal: AbortSignal.timeout(5000),
      env: { AI: ai },
    } as unknown as UpstreamCall
    await expect(workersAi.chat({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, call)).rejects.toMatchObject({ kind: 'protocol' })
  })
})
