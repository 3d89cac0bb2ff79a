/**
 * `npm run eval:semantic`: how often the semantic cache serves a true paraphrase (hit rate)
 * and how often it serves a different question (false-hit rate), per threshold, for a plain
 * cosine threshold and for the shipped decision (worker/src/cache/semantic/decision.ts), on
 * the HELD-OUT split the decision was not fitted on. Then the embeddings endpoint's latency,
 * load time and memory.
 *
 * Embeddings come from the local model and are cached in .tmp/semantic-eval/; from scratch
 * the first run embeds ~7,900 texts (about two minutes on two cores).
 */
import { decideSemanticHit, DEFAULT_SEMANTIC_THRESHOLD } from '../../worker/src/cache/semantic/decision.ts'
import { DECISION_PROVENANCE } from '../../worker/src/cache/semantic/decision-params.ts'
import { startEmbeddingsServer } from '../embeddings-server.ts'
import { formatTable, pointAt, thresholdForFalseHitRate, type Point, type Scored } from './curve.ts'
import { SPLIT_RULE } from './dataset.ts'
import { preparePairs, type PreparedPair } from './prepare.ts'

const MAX_FALSE_HIT_RATE = 0.01
const COSINE_THRESHOLDS = [0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99]
const SCORE_THRESHOLDS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96]
const LATENCY_SAMPLES = 200

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`
const describe = (p: Point): string =>
  `QQP hit ${pct(p.qqpHit)}, tech-paraphrase hit ${pct(p.paraphraseHit)}, QQP false hit ${pct(p.falseHit)} (${p.falseHits}/${p.negatives})`

const started = performance.now()
const prepared = await preparePairs()
const { pairs } = prepared
if (DECISION_PROVENANCE.split !== SPLIT_RULE) {
  console.warn('warning: decision-params.ts was fitted on another split rule; re-run scripts/semantic/fit.ts')
}
const split = (name: 'dev' | 'heldout'): PreparedPair[] => pairs.filter((p) => p.split === name)
const cosineRows = (rows: readonly PreparedPair[]): Scored[] => rows.map((p) => ({ score: p.cosine, label: p.label, source: p.source }))
// The shipped code path, fed the cosine the gateway would get from its vector index.
const decisionRows = (rows: readonly PreparedPair[]): Scored[] =>
  rows.map((p) => ({ score: decideSemanticHit(p.query, p.cached, p.cosine).score, label: p.label, source: p.source }))

const dev = split('dev')
const heldout = split('heldout')
const count = (rows: readonly PreparedPair[], keep: (p: PreparedPair) => boolean): number => rows.filter(keep).length
console.log(`semantic-cache evaluation — local USE-lite embeddings (512-d); split: ${SPLIT_RULE}`)
console.log(
  `held-out: ${heldout.length} pairs = ${count(heldout, (p) => p.source === 'qqp' && p.label === 1)} QQP same-question, ` +
    `${count(heldout, (p) => p.label === 0)} QQP different-question, ${count(heldout, (p) => p.source === 'paraphrase')} technical paraphrases ` +
    `(dev, used for fitting only: ${dev.length})`,
)

const cosineHeld = cosineRows(heldout)
const decisionHeld = decisionRows(heldout)
console.log()
console.log(formatTable('PLAIN COSINE THRESHOLD (held-out)', COSINE_THRESHOLDS.map((t) => pointAt(cosineHeld, t))))
console.log()
const scoreThresholds = [...SCORE_THRESHOLDS, DEFAULT_SEMANTIC_THRESHOLD].sort((a, b) => a - b)
console.log(formatTable(`SHIPPED DECISION, threshold on score (held-out; shipped default ${DEFAULT_SEMANTIC_THRESHOLD})`, scoreThresholds.map((t) => pointAt(decisionHeld, t))))

// Each method's own ≤1 % point on the held-out negatives (the fairest like-for-like), and the
// threshold each would ship with, chosen on dev and applied unchanged to held-out.
const cosineOwn = pointAt(cosineHeld, thresholdForFalseHitRate(cosineHeld, MAX_FALSE_HIT_RATE))
const decisionOwn = pointAt(decisionHeld, thresholdForFalseHitRate(decisionHeld, MAX_FALSE_HIT_RATE))
const cosineFromDev = pointAt(cosineHeld, thresholdForFalseHitRate(cosineRows(dev), MAX_FALSE_HIT_RATE))
const shipped = pointAt(decisionHeld, DEFAULT_SEMANTIC_THRESHOLD)
console.log()
console.log(`≤ ${MAX_FALSE_HIT_RATE * 100} % false hits on the held-out QQP negatives:`)
console.log(`  cosine   @ ${cosineOwn.threshold.toFixed(4)} (its own ≤1 % point): ${describe(cosineOwn)}`)
console.log(`  decision @ ${decisionOwn.threshold.toFixed(4)} (its own ≤1 % point): ${describe(decisionOwn)}`)
console.log(`  → decision / cosine QQP hit rate: ${(decisionOwn.qqpHit / Math.max(cosineOwn.qqpHit, 1e-9)).toFixed(2)}×`)
console.log('thresholds chosen on dev (≤1 % there), applied unchanged to held-out:')
console.log(`  cosine   @ ${cosineFromDev.threshold.toFixed(4)}: ${describe(cosineFromDev)}`)
console.log(`  decision @ ${shipped.threshold.toFixed(4)} (shipped default): ${describe(shipped)}`)
console.log(`  → decision / cosine QQP hit rate: ${(shipped.qqpHit / Math.max(cosineFromDev.qqpHit, 1e-9)).toFixed(2)}×`)

// What the rules refuse on held-out, whatever the cosine.
const refusals = new Map<string, [number, number]>()
for (const p of heldout) {
  const { refusal } = decideSemanticHit(p.query, p.cached, p.cosine)
  if (refusal === null) continue
  const entry = refusals.get(refusal) ?? [0, 0]
  entry[p.label === 1 ? 0 : 1]++
  refusals.set(refusal, entry)
}
console.log('refused by rule on held-out (same-question / different-question pairs):')
for (const [reason, [same, different]] of [...refusals].sort((a, b) => b[1][1] - a[1][1])) {
  console.log(`  ${reason.padEnd(24)} ${String(same).padStart(4)} / ${different}`)
}
console.log(`(eval ${((performance.now() - started) / 1000).toFixed(1)} s; embeddings ${prepared.fromCache ? 'from .tmp cache' : 'computed now'})`)

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
