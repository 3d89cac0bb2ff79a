import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { GatewayEnv } from '../../env.ts'
import type { SemanticCachePolicy } from '../../policy/schema.ts'
import { semanticVerification } from '../../policy/semantic-verification.ts'
import { semanticBackends } from './backend.ts'
import { MirrorRegistry } from './context-mirror.ts'

const base = env as unknown as GatewayEnv
const config = (over: Partial<SemanticCachePolicy> = {}): SemanticCachePolicy => ({
  enabled: true,
  ttl_seconds: 60,
  max_turns: 1,
  min_prompt_chars: 8,
  allow_tools: false,
  embedder: { type: 'auto', timeout_ms: 1000 },
  index: 'auto',
  max_false_hit_rate: 0.01,
  verification: semanticVerification.parse({}),
  ...over,
})
// Only its presence matters here: `auto` picks Vectorize when the binding exists.
const withVectors = { ...base, VECTORS: {} as VectorizeIndex }

describe('semanticBackends', () => {
  const backendFor = semanticBackends({}, { mirrors: new MirrorRegistry(1 << 20, 100), now: Date.now })

  it('auto: the D1 store without VECTORS, Vectorize with it', () => {
    expect(backendFor(config(), base)?.index.kind).toBe('d1')
    expect(backendFor(config(), withVectors)?.index.kind).toBe('vectorize')
    expect(backendFor(config({ index: 'd1' }), withVectors)?.index.kind).toBe('d1')
  })

  it('is skipped when what policy asks for is not bound', () => {
    expect(backendFor(config({ index: 'vectorize' }), base)).toBeUndefined()
    expect(backendFor(config(), { ...base, EMBEDDINGS_URL: undefined })).toBeUndefined()
  })

  it('builds once per env and config', () => {
    expect(backendFor(config(), base)).toBe(backendFor(config(), base))
    expect(backendFor(config(), base)).not.toBe(backendFor(config({ index: 'd1' }), base))
  })
})
