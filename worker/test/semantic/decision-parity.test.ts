/**
 * The decision the Worker serves is the one `npm run eval:semantic` measured: 200 dev pairs, with
 * the score and decision eval.ts computed in Node (fixtures/qqp-dev-decisions-200.json, written by
 * eval.ts), are decided again here in workerd — int8 params decoded by the Worker, text features
 * computed by workerd's regex and Unicode engine, vectors from the local endpoint through the
 * gateway's own embedder client. A refit that forgets to re-run eval, or a feature that computes
 * differently in workerd, fails here.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { decideSemanticHit } from '../../src/cache/semantic/decision.ts'
import { LOCAL_EMBEDDING_MODEL } from '../../src/cache/semantic/embedder.ts'
import { openAiEmbedder } from '../../src/cache/semantic/openai-embedder.ts'
import { NETWORK_MODEL } from '../../src/cache/semantic/pair-model-params.ts'
import { dot } from '../../src/cache/semantic/quantize.ts'
import type { GatewayEnv } from '../../src/env.ts'
import fixture from './fixtures/qqp-dev-decisions-200.json'

/** The vectors come from the model batched differently than eval's cache: float noise only. */
const TOLERANCE = 1e-3

describe('the served decision on 200 dev pairs', () => {
  it('matches eval:semantic: the same score (±0.001) and the same decision at the shipped threshold', async () => {
    expect(fixture.threshold).toBe(NETWORK_MODEL.threshold)
    expect(fixture.pairs).toHaveLength(200)
    const embedder = openAiEmbedder({ id: fixture.embedder, baseUrl: `${(env as unknown as GatewayEnv).EMBEDDINGS_URL}/v1`, model: LOCAL_EMBEDDING_MODEL, timeoutMs: 60_000 })
    const vectors = await embedder.embed(fixture.pairs.flatMap((p) => [p.query, p.cached]))
    let hits = 0
    fixture.pairs.forEach((p, i) => {
      const u = vectors[2 * i]!
      const v = vectors[2 * i + 1]!
      const d = decideSemanticHit({ query: p.query, cached: p.cached, cosine: dot(u, v), embedder: fixture.embedder, queryVector: u, cachedVector: v })
      const where = `pair ${i}: ${JSON.stringify(p.cached)} / ${JSON.stringify(p.query)}`
      expect(d.model, where).toBe('network')
      expect(d.refusal, where).toBe(p.refusal)
      expect(Math.abs(d.score - p.score), where).toBeLessThanOrEqual(TOLERANCE)
      if (Math.abs(p.score - fixture.threshold) > TOLERANCE) expect(d.hit, where).toBe(p.hit)
      if (d.hit) hits++
    })
    // The sample holds both outcomes, so agreement is not trivially "all misses".
    expect(hits).toBeGreaterThan(0)
    expect(hits).toBeLessThan(fixture.pairs.length)
  }, 120_000)
})
