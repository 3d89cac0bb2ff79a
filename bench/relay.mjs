// @ts-check
// The stream relay's own CPU per upstream chunk (`npm run bench`, BENCH_PARTS=relay), in this V8 —
// the engine workerd embeds — on the Worker's own module: the bench upstream's stream (one event per
// chunk, 43 chunks, the usage chunk stripped as for a client that did not ask for it) relayed in
// process, against a pump that reads and writes the same chunks through the same kind of stream
// without looking at them. The difference is what parsing, metering and assembling cost per chunk;
// the runtime's own per-chunk cost (README "Performance") is apart from this. Bounded (< 30 s).
import { fileURLToPath } from 'node:url'
import { tsImport } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const STREAMS = Number(process.env.BENCH_RELAY_STREAMS ?? 3000)
const load = (/** @type {string} */ path) => tsImport(`${root}${path}`, import.meta.url)

/** The bench upstream's chunks (bench/upstream.mjs), one event per chunk. */
function upstreamChunks() {
  const base = { id: 'chatcmpl-bench', created: 1, model: 'bench-model', object: 'chat.completion.chunk' }
  const event = (/** @type {object} */ o) => new TextEncoder().encode(`data: ${JSON.stringify(o)}\n\n`)
  const chunk = (/** @type {object} */ delta, /** @type {string | null} */ finish = null) => event({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })
  const words = 'The quick brown fox jumps over the lazy dog. '.repeat(4).split(' ')
  return [
    chunk({ role: 'assistant', content: '' }),
    ...words.map((w) => chunk({ content: `${w} ` })),
    chunk({}, 'stop'),
    event({ ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 40, total_tokens: 60 } }),
    new TextEncoder().encode('data: [DONE]\n\n'),
  ]
}

const streamOf = (/** @type {Uint8Array[]} */ chunks) =>
  new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk)
      c.close()
    },
  })

async function drain(/** @type {ReadableStream<Uint8Array>} */ body) {
  const reader = body.getReader()
  while (!(await reader.read()).done);
}

/** Reads and writes each chunk through a TransformStream, looking at nothing. */
function pump(/** @type {ReadableStream<Uint8Array>} */ upstream) {
  const pipe = new TransformStream(undefined, { highWaterMark: 8 })
  const writer = pipe.writable.getWriter()
  const reader = upstream.getReader()
  void (async () => {
    for (;;) {
      const c = await reader.read()
      if (c.done) return writer.close()
      writer.write(c.value)
      if ((writer.desiredSize ?? 1) <= 0) await writer.ready
    }
  })()
  return pipe.readable
}

/** CPU µs per stream of `run`, over STREAMS streams (after a warm-up). */
async function cpuPerStream(/** @type {() => Promise<unknown>} */ run) {
  for (let i = 0; i < 300; i++) await run()
  const before = process.cpuUsage()
  for (let i = 0; i < STREAMS; i++) await run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / STREAMS
}

export async function run() {
  const { relayStream } = await load('worker/src/stream/relay.ts')
  const chunks = upstreamChunks()
  const relay = async () => {
    const relayed = relayStream(streamOf(chunks), { clientWantsUsage: false })
    await drain(relayed.body)
    if (!(await relayed.answer)) throw new Error('the relay did not assemble the answer')
  }
  const bare = async () => drain(pump(streamOf(chunks)))
  // Interleaved, three times each: the lowest of each is the least disturbed by the shared machine.
  const relayUs = []
  const pumpUs = []
  for (let i = 0; i < 3; i++) {
    relayUs.push(await cpuPerStream(relay))
    pumpUs.push(await cpuPerStream(bare))
  }
  const r = Math.min(...relayUs)
  const p = Math.min(...pumpUs)
  console.log(`\nStream relay in process (${chunks.length} chunks a stream, ${STREAMS} streams, best of 3 interleaved): relay ${r.toFixed(0)} µs CPU a stream, a bare pump ${p.toFixed(0)} µs; the relay's own work ${((r - p) / chunks.length).toFixed(1)} µs per chunk`)
}
