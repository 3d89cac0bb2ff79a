import { describe, expect, it } from 'vitest'
import { chunkTokens, maxOutputTokens, promptTokens, utf8Bytes } from './estimate.ts'

describe('estimates before the provider answers', () => {
  it('counts UTF-8 bytes without encoding', () => {
    for (const text of ['hello', 'héllo', '日本語', 'emoji 😀 ok', ''])
      expect(utf8Bytes(text)).toBe(new TextEncoder().encode(text).length)
  })

  it('overestimates an English prompt (bytes ÷ 3) and adds per-message framing and images', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(10) // 450 bytes, ~100 real tokens
    expect(promptTokens({ messages: [{ role: 'user', content: text }] }, 'chat')).toBe(150 + 4)
    const withImage = { messages: [{ role: 'user', content: [{ type: 'text', text: 'abc' }, { type: 'image_url', image_url: { url: 'x' } }] }] }
    expect(promptTokens(withImage, 'chat')).toBe(1 + 4 + 1105)
  })

  it('counts tools and embeddings inputs', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }]
    expect(promptTokens({ messages: [], tools }, 'chat')).toBe(Math.ceil(JSON.stringify(tools).length / 3))
    expect(promptTokens({ input: ['abcdef', 'ghi'] }, 'embeddings')).toBe(3)
  })

  it('takes max_completion_tokens, then max_tokens, then the assumption, times n', () => {
    expect(maxOutputTokens({ max_completion_tokens: 100, max_tokens: 50 }, 'chat', 4096)).toBe(100)
    expect(maxOutputTokens({ max_tokens: 50, n: 3 }, 'chat', 4096)).toBe(150)
    expect(maxOutputTokens({}, 'chat', 4096)).toBe(4096)
    expect(maxOutputTokens({ max_tokens: 50 }, 'embeddings', 4096)).toBe(0)
  })

  it('counts at least a token per non-empty streamed delta', () => {
    expect(chunkTokens({ choices: [{ delta: { content: 'Hi' } }] })).toBe(1)
    expect(chunkTokens({ choices: [{ delta: { content: 'x'.repeat(40) } }, { delta: { content: '' } }] })).toBe(10)
    expect(chunkTokens({ choices: [{ delta: { role: 'assistant' } }] })).toBe(0)
    expect(chunkTokens({ choices: [] })).toBe(0)
  })
})
