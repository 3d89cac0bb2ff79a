/**
 * `npm run eval:semantic`: how often the semantic cache serves a true paraphrase (hit rate) and
 * how often it serves a different question (false-hit rate), each with its 95 % Wilson interval,
 * on qqp-dev.jsonl — the TEST set: everything was fitted on qqp-train.jsonl (scripts/semantic/fit.ts)
 * — plus the 999 technical paraphrases. Scores come from the shipped code path
 * (worker/src/cache/semantic/decision.ts) with the local USE-lite embeddings. Then what a decision
 * costs, and the local embeddings endpoint's latency, load time and memory.
 *
 * Embeddings are cached in .tmp/semantic-eval/; from scratch dev + paraphrases take ~2 minutes.
 *
 * It also writes the decisions it made on 200 dev pairs to worker/test/semantic/fixtures/
 * (PARITY_FIXTURE): the workerd test decision-parity.test.ts checks the Worker decides them alike.
 */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { decideSemanticHit, defaultThreshold, type SemanticDecision } from '../../worker/src/cache/semantic/decision.ts'
import { LEXICAL_MODEL, NETWORK_MODEL } from '../../worker/src/cache/semantic/pair-model-params.ts'
import { JUDGE_SAME_AT } from '../../worker/src/cache/semantic/verification/judge.ts'
import { startEmbeddingsServer } from '../embeddings-server.ts'
import { ci, formatTable, pointAt, thresholdForBound, thresholdForFalseHitRate, type Scored } from './curve.ts'
import { REPO_ROOT } from './dataset.ts'
import { preparePairs, type PreparedPair } from './prepare.ts'

const LOCAL = 'local:use-lite-512'
const CLOUD = 'workers-ai:@cf/baai/bge-base-en-v1.5'
const COSINE_THRESHOLDS = [0.9, 0.95, 0.97, 0.98, 0.985, 0.99]
const SCORE_THRESHOLDS = [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97]
const LATENCY_SAMPLES = 200
const PARITY_PAIRS = 200
const PARITY_FIXTURE = resolve(REPO_ROOT, 'worker/test/semantic/fixtures/qqp-dev-decisions-200.json')

const started = performance.now()
const dev = (await preparePairs('dev')).pairs
const paraphrases = (await preparePairs('paraphrase')).pairs
const decide = (p: PreparedPair, embedder: string): SemanticDecision =>
  decideSemanticHit({ query: p.query, cached: p.cached, cosine: p.cosine, embedder, queryVector: p.queryVector, cachedVector: p.cachedVector })
const network = (rows: readonly PreparedPair[]): Scored[] => rows.map((p) => ({ score: decide(p, LOCAL).score, label: p.label }))
// Any other embedder: the lexical model, which ignores the vectors (USE-lite cosine only gates here).
const lexical = (rows: readonly PreparedPair[]): Scored[] => rows.map((p) => ({ score: decide(p, CLOUD).score, label: p.label }))
const cosine = (rows: readonly PreparedPair[]): Scored[] => rows.map((p) => ({ score: p.cosine, label: p.label }))

const positives = dev.filter((p) => p.label === 1).length
console.log(`semantic-cache evaluation on qqp-dev.jsonl (the test set): ${dev.length} pairs = ${positives} same-question, ${dev.length - positives} different-question`)
console.log('fitted on qqp-train.jsonl only (scripts/semantic/fit.ts); hit rate over same-question pairs, false-hit rate over different-question pairs, 95 % Wilson intervals')

const report = (name: string, threshold: number, rows: Scored[], para: Scored[]) => {
  const p = pointAt(rows, threshold)
  const t = pointAt(para, threshold)
  console.log(`  ${name.padEnd(44)} hit ${ci(p.hit).padEnd(20)} (${p.hits}/${p.positives})  false hit ${ci(p.falseHit, 2).padEnd(22)} (${p.falseHits}/${p.negatives})  tech-paraphrase hit ${ci(t.hit)}`)
}
const netDev = network(dev)
const lexDev = lexical(dev)
const cosDev = cosine(dev)
console.log()
console.log('AT THE SHIPPED THRESHOLDS (chosen on train, applied unchanged):')
report(`network (local USE-lite) @ ${NETWORK_MODEL.threshold}`, defaultThreshold(LOCAL), netDev, network(paraphrases))
report(`lexical (any other embedder) @ ${LEXICAL_MODEL.threshold}`, defaultThreshold(CLOUD), lexDev, lexical(paraphrases))
// The plain cosine gets the network's rule: the 1 % one-sided 95 % bound on train.
const cosTrainThreshold = thresholdForBound(cosine((await preparePairs('train', () => undefined)).pairs), 0.01).threshold
report(`plain cosine @ ${cosTrainThreshold.toFixed(4)} (same rule on train)`, cosTrainThreshold, cosDev, cosine(paraphrases))

console.log()
console.log(formatTable('NETWORK (local USE-lite), threshold on score', SCORE_THRESHOLDS.map((t) => pointAt(netDev, t))))
console.log()
console.log(formatTable('LEXICAL (embedder-agnostic), threshold on score', SCORE_THRESHOLDS.map((t) => pointAt(lexDev, t))))
console.log()
console.log(formatTable('PLAIN COSINE (local USE-lite)', COSINE_THRESHOLDS.map((t) => pointAt(cosDev, t)), 3))

console.log()
console.log('each at its own ≤ 1 % false-hit point on dev (optimistic: that threshold is chosen on the test set):')
for (const [name, rows] of [['network', netDev], ['lexical', lexDev], ['cosine', cosDev]] as const) {
  const p = pointAt(rows, thresholdForFalseHitRate(rows, 0.01))
  console.log(`  ${name.padEnd(8)} @ ${p.threshold.toFixed(4)}: hit ${ci(p.hit)}, false hit ${ci(p.falseHit, 2)}`)
}

const refusals = new Map<string, [number, number]>()
for (const p of dev) {
  const { refusal } = decide(p, LOCAL)
  if (refusal === null || refusal === 'cosine_below_minimum') continue
  const entry = refusals.get(refusal) ?? [0, 0]
  entry[p.label === 1 ? 0 : 1]++
  refusals.set(refusal, entry)
}
console.log()
console.log(`refused outright by rule on dev (same-question / different-question); rules kept by fit.ts: ${NETWORK_MODEL.refusing.join(', ') || 'none'}`)
for (const [reason, [same, different]] of [...refusals].sort((a, b) => b[1][1] - a[1][1])) console.log(`  ${reason.padEnd(24)} ${String(same).padStart(4)} / ${different}`)

// The default judge's comparator (judge.ts) on labelled question pairs: the only labelled text pairs
// there are. Its error on pairs of answers is not measured here.
{
  const p = pointAt(netDev, JUDGE_SAME_AT)
  console.log()
  console.log(`default judge's comparator at its cut ${JUDGE_SAME_AT}, on dev question pairs: says "same" for ${ci(p.hit)} of same-question pairs and ${ci(p.falseHit, 2)} of different-question pairs (misses a wrong answer that often)`)
}

// What one decision costs on this machine (Node; the Worker runs the same code).
const sample = dev.filter((p) => p.cosine >= NETWORK_MODEL.gate).slice(0, 500)
for (let i = 0; i < 2; i++) for (const p of sample) decide(p, LOCAL)
const t0 = performance.now()
for (const p of sample) decide(p, LOCAL)
console.log()
console.log(`decision cost: ${((1000 * (performance.now() - t0)) / sample.length).toFixed(0)} µs per pair (network, ${sample.length} pairs, Node ${process.version})`)
console.log(`(eval ${((performance.now() - started) / 1000).toFixed(1)} s)`)

// The first PARITY_PAIRS dev pairs the network scores, with the decision made here, for the Worker parity test.
const parity = dev
  .filter((p) => p.cosine >= NETWORK_MODEL.gate)
  .slice(0, PARITY_PAIRS)
  .map((p) => {
    const d = decide(p, LOCAL)
    return { cached: p.cached, query: p.query, label: p.label, cosine: Number(p.cosine.toFixed(6)), score: Number(d.score.toFixed(6)), hit: d.hit, refusal: d.refusal }
  })
await writeFile(PARITY_FIXTURE, `${JSON.stringify({ threshold: NETWORK_MODEL.threshold, embedder: LOCAL, pairs: parity }, null, 1)}\n`)
console.log(`wrote ${parity.length} decisions → ${PARITY_FIXTURE}`)

await measureEndpoint()

/** Latency of the local endpoint for one short sentence, model load time and memory. */
async function measureEndpoint(): Promise<void> {
  const rssBefore = process.memoryUsage().rss
  const server = await startEmbeddingsServer({ port: 0 })
  const body = JSON.stringify({ model: server.model, input: 'How do I reset my password?' })
  const once = async (): Promise<number> => {
    const t = performance.now()
    const res = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    await res.json()
    if (!res.ok) throw new Error(`embeddings endpoint answered ${res.status}`)
    return performance.now() - t
  }
  for (let i = 0; i < 10; i++) await once() // warm-up: first calls compile WASM kernels
  const samples: number[] = []
  for (let i = 0; i < LATENCY_SAMPLES; i++) samples.push(await once())
  samples.sort((a, b) => a - b)
  const q = (f: number): string => (samples[Math.floor(f * (samples.length - 1))] ?? 0).toFixed(1)
  const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`
  const mem = process.memoryUsage()
  console.log()
  console.log(`embeddings endpoint (${server.model}, ${LATENCY_SAMPLES} sequential requests, one short sentence, after warm-up):`)
  console.log(`  latency p50 ${q(0.5)} ms, p95 ${q(0.95)} ms; model load ${Math.round(server.loadMs)} ms (this process)`)
  console.log(`  process memory: rss ${mb(mem.rss)} (before server start ${mb(rssBefore)}), heap ${mb(mem.heapUsed)}, external ${mb(mem.external)}`)
  await server.close()
}
