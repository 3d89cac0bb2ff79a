import { describe, expect, it } from 'vitest'
import { readBodyLimited } from './read-body.ts'

/** A body delivered in chunks, counting how many the reader pulled (as a chunked upload would arrive). */
function chunked(chunks: number, size: number) {
  let pulled = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close()
      pulled++
      controller.enqueue(new Uint8Array(size).fill(0x61))
    },
  })
  return { stream, pulled: () => pulled }
}

describe('readBodyLimited', () => {
  it('returns the whole body when it fits, chunks joined in order', async () => {
    const { stream } = chunked(4, 100)
    const read = await readBodyLimited(stream, 400)
    expect(read.ok && read.value.byteLength).toBe(400)
  })

  it('stops at the limit: a 100 MB chunked body is refused after pulling just past 1 MB', async () => {
    const body = chunked(1600, 64 * 1024)
    const read = await readBodyLimited(body.stream, 1024 * 1024)
    expect(read).toEqual({ ok: false, error: { reason: 'too_large', limit: 1024 * 1024 } })
    expect(body.pulled()).toBeLessThanOrEqual(18)
  })

  it('an erroring stream is unreadable, not a throw', async () => {
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error('reset')) })
    expect(await readBodyLimited(stream, 10)).toEqual({ ok: false, error: { reason: 'unreadable' } })
  })

  it('no body is an empty one', async () => {
    const read = await readBodyLimited(null, 10)
    expect(read.ok && read.value.byteLength).toBe(0)
  })
})
