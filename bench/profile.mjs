#!/usr/bin/env node
// @ts-check
// `node bench/profile.mjs [miss|stream|hit]`: a CPU profile of the gateway's isolate under load,
// taken through `wrangler dev --inspector-port` (Chrome DevTools protocol) while 16 connections
// send requests for PROFILE_SECONDS (default 10). Prints the functions with the most self time and
// writes the whole profile to .tmp/gateway-<scenario>.cpuprofile (open it in Chrome DevTools).
import { mkdirSync, writeFileSync } from 'node:fs'
import { client } from './lib/client.mjs'
import { inspect } from './lib/inspector.mjs'
import { onCleanup, root, runBounded } from './lib/processes.mjs'
import { filesByLine, timeByFile } from './lib/profile-by-file.mjs'
import { startWorkers } from './lib/workers.mjs'
import { startUpstream } from './upstream.mjs'

const scenario = process.argv[2] ?? 'miss'
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10)

runBounded('bench/profile.mjs', async () => {
  const upstream = await startUpstream()
  onCleanup(upstream.close)
  const { gateway } = await startWorkers({ upstreamUrl: upstream.url, policyFile: `${root}bench/policy/bench.yaml`, only: ['gateway'] })
  const inspector = await inspect(gateway.inspectorPort)
  onCleanup(inspector.close)
  const http = client(16)
  let n = 0
  const body = () =>
    JSON.stringify({ model: 'bench-model', ...(scenario === 'stream' ? { stream: true } : {}), messages: [{ role: 'user', content: scenario === 'hit' ? 'same' : `q ${n++}` }] })
  const headers = { authorization: 'Bearer lgw_bench_key', ...(scenario === 'hit' ? {} : { 'x-watchllm-cache': 'bypass' }) }
  const send = async () => {
    const r = await http.post(`${gateway.url}/v1/chat/completions`, body(), headers)
    if (r.status !== 200) throw new Error(`gateway answered ${r.status}: ${r.body.slice(0, 200)}`)
  }
  for (let i = 0; i < 200; i++) await send()
  await inspector.send('Profiler.enable')
  await inspector.send('Profiler.setSamplingInterval', { interval: 100 })
  await inspector.send('Profiler.start')
  const until = performance.now() + SECONDS * 1000
  let done = 0
  await Promise.all(Array.from({ length: 16 }, async () => { while (performance.now() < until) { await send(); done++ } }))
  const { profile } = await inspector.send('Profiler.stop')
  http.close()
  mkdirSync(`${root}.tmp`, { recursive: true })
  const file = `${root}.tmp/gateway-${scenario}.cpuprofile`
  writeFileSync(file, JSON.stringify(profile))
  summarise(profile, done)
  await byFile(inspector, profile, done)
  console.log(`profile written to ${file}`)
}, 300_000)

/** The same samples by source file of the bundle (readable with `"minify": false`), read back from the isolate. */
async function byFile(/** @type {{ send: (method: string, params?: object) => Promise<any> }} */ inspector, /** @type {import('./lib/profile-by-file.mjs').Profile} */ profile, /** @type {number} */ requests) {
  const scriptId = profile.nodes.find((n) => n.callFrame.url === 'index.js')?.callFrame.scriptId
  if (!scriptId) return
  await inspector.send('Debugger.enable')
  const { scriptSource } = await inspector.send('Debugger.getScriptSource', { scriptId })
  const { self, total, all } = timeByFile(profile, scriptId, filesByLine(scriptSource))
  for (const [title, times] of /** @type {const} */ ([['self', self], ['total (each file once per sample)', total]])) {
    console.log(`\nby file, ${title}:`)
    for (const [name, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 20))
      console.log(`${((100 * us) / all).toFixed(1).padStart(5)} %  ${(us / 1e3 / requests).toFixed(4)} ms/req  ${name}`)
  }
}

/** Self time per function (sampled), as a share of the profile and in ms per request. */
function summarise(/** @type {{ nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number }>, samples: number[], timeDeltas: number[] }} */ profile, /** @type {number} */ requests) {
  /** @type {Map<number, number>} */
  const selfUs = new Map()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  /** @type {Map<string, number>} */
  const byFunction = new Map()
  let total = 0
  let idle = 0
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0
    total += us
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') idle += us
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
  }
  console.log(`\n${requests} requests (${scenario}) in ${(total / 1e6).toFixed(1)} s of profile; ${(((total - idle) / 1e3) / requests).toFixed(3)} ms of isolate CPU per request (idle and (program) excluded)`)
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)
  for (const [name, us] of top) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1e3 / requests).toFixed(4)} ms/req  ${name}`)
}
