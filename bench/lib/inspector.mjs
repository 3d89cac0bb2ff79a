// @ts-check
// The worker's isolate seen through `wrangler dev --inspector-port` (Chrome DevTools protocol):
// its JS heap (apart from the runtime's RSS) and CPU profiles. Every call is bounded in time.
import { readFileSync } from 'node:fs'
import { descendantsOf } from './processes.mjs'

const TIMEOUT_MS = 15_000

/** A DevTools session on the worker's isolate. */
export async function inspect(/** @type {number} */ inspectorPort) {
  const targets = /** @type {Array<{ webSocketDebuggerUrl?: string }>} */ (
    await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then((r) => r.json())
  )
  const wsUrl = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl
  if (!wsUrl) throw new Error(`no inspectable worker on inspector port ${inspectorPort}`)
  // wrangler's inspector proxy wants an Origin it allows (a browser's DevTools would send one).
  // @ts-ignore undici's WebSocket takes headers (non-standard), which the DOM type does not declare
  const ws = new WebSocket(wsUrl, { headers: { origin: 'http://localhost' } })
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true })
    ws.addEventListener('error', () => reject(new Error(`could not connect to ${wsUrl}`)), { once: true })
  })
  let id = 0
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  const pending = new Map()
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data))
    const waiter = message.id !== undefined ? pending.get(message.id) : undefined
    if (!waiter) return
    pending.delete(message.id)
    if (message.error) waiter.reject(new Error(message.error.message))
    else waiter.resolve(message.result)
  })
  /** @param {string} method @param {object} [params] @returns {Promise<any>} */
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const callId = ++id
      const timer = setTimeout(() => {
        pending.delete(callId)
        reject(new Error(`${method} got no answer within ${TIMEOUT_MS / 1000} s`))
      }, TIMEOUT_MS)
      pending.set(callId, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
      ws.send(JSON.stringify({ id: callId, method, params }))
    })
  return {
    send,
    /** Used JS heap after a full GC, in bytes: the isolate's live objects. */
    async heapAfterGc() {
      await send('HeapProfiler.collectGarbage').catch(() => undefined)
      const usage = await send('Runtime.getHeapUsage')
      return /** @type {{ usedSize: number, totalSize: number }} */ (usage)
    },
    close: () => ws.close(),
  }
}

/** The isolate's used JS heap after a full GC; the session is closed again (an attached inspector slows the isolate). */
export async function heapAfterGc(/** @type {number} */ inspectorPort) {
  const session = await inspect(inspectorPort)
  try {
    return (await session.heapAfterGc()).usedSize
  } finally {
    session.close()
  }
}

/** Resident memory (bytes) of the workerd processes under a wrangler process: the runtime as a whole. */
export function runtimeRss(/** @type {number} */ pid) {
  let total = 0
  for (const p of descendantsOf(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8')
      if (!/^Name:\s+workerd$/m.test(status)) continue
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024
    } catch {}
  }
  return total
}


export const mb = (/** @type {number} */ bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
