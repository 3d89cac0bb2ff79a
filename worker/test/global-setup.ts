/**
 * Starts what the workerd tests talk to, all on 127.0.0.1 with random ports, in the vitest (Node)
 * process: the fake OpenAI, Anthropic and Groq upstreams, a private `redis-server`, the Upstash
 * REST shim in front of it, the local embeddings endpoint (the real USE-lite model), and a webhook
 * receiver for alerts and reports. Their URLs reach the worker as vars through vitest.config.ts
 * (FAKE_*_URL, EMBEDDINGS_URL, UPSTASH_REDIS_REST_URL/TOKEN, WEBHOOK_RECEIVER_URL). The teardown stops everything it started (redis-server by PID).
 */
import { randomBytes } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { startEmbeddingsServer } from '../../scripts/embeddings-server.ts'
import { startFakeAccess } from './fakes/access.ts'
import { startFakeAnthropic } from './fakes/anthropic.ts'
import { startFakeGroq } from './fakes/groq.ts'
import { startFakeOpenAi } from './fakes/openai.ts'
import { startRedisServer } from './fakes/redis-server.ts'
import { startUpstashShim } from './fakes/upstash-shim.ts'
import { startWebhookReceiver } from './fakes/webhook-receiver.ts'
import { loadSimulationPairs, type LabelledPair } from './semantic/simulation-pairs.ts'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = []
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
  }
  try {
    const [openai, anthropic, groq, embeddings, webhooks] = await Promise.all([
      startFakeOpenAi(),
      startFakeAnthropic(),
      startFakeGroq(),
      startEmbeddingsServer({ port: 0 }),
      startWebhookReceiver(),
    ])
    stops.push(openai.close, anthropic.close, groq.close, embeddings.close, webhooks.close)
    const access = await startFakeAccess()
    stops.push(access.close)
    project.provide('accessTeamUrl', access.url)
    project.provide('accessPrivateJwk', access.privateJwk)
    project.provide('accessForeignJwk', access.foreignJwk)
    const redis = await startRedisServer()
    stops.push(redis.stop)
    const shim = await startUpstashShim({ redisUrl: redis.url, token: randomBytes(16).toString('hex') })
    stops.push(shim.close)

    // Each SDK's own base-URL convention: openai appends `/chat/completions` to `…/v1`; the
    // anthropic and groq SDKs append `/v1/messages` and `/openai/v1/…` to the bare origin.
    project.provide('fakeOpenaiUrl', `${openai.url}/v1`)
    project.provide('fakeAnthropicUrl', anthropic.url)
    project.provide('fakeGroqUrl', groq.url)
    project.provide('upstashUrl', shim.url)
    project.provide('upstashToken', shim.token)
    project.provide('embeddingsUrl', embeddings.url)
    project.provide('webhookUrl', webhooks.url)
    project.provide('simulationPairs', await loadSimulationPairs(900))
  } catch (e) {
    await teardown()
    throw e
  }
  return teardown
}

declare module 'vitest' {
  interface ProvidedContext {
    fakeOpenaiUrl: string
    fakeAnthropicUrl: string
    fakeGroqUrl: string
    upstashUrl: string
    upstashToken: string
    embeddingsUrl: string
    webhookUrl: string
    simulationPairs: LabelledPair[]
    accessTeamUrl: string
    accessPrivateJwk: string
    accessForeignJwk: string
  }
}
