import { describe, expect, test } from 'vitest'
import { buildUnderMocks, secretness } from '../testing/component.ts'
import { mockUpstashRestToken } from '../testing/mocks.ts'
import { Upstash } from './Upstash.ts'

describe('Upstash', () => {
  test('a global TLS database in the chosen region; REST URL and token come out as secrets', async () => {
    const built = await buildUnderMocks((opts) => new Upstash('upstash', { databaseName: 'watchllm-dev', primaryRegion: 'eu-west-1', readRegions: ['us-east-1'] }, opts))
    expect(built.propsOf('upstash:index/redisDatabase:RedisDatabase')).toEqual({
      databaseName: 'watchllm-dev',
      region: 'global',
      primaryRegion: 'eu-west-1',
      readRegions: ['us-east-1'],
      tls: true,
      eviction: true,
    })
    expect(await secretness(built.component.restUrl)).toEqual({ value: 'https://upstash-redis.upstash.io', secret: true })
    expect(await secretness(built.component.restToken)).toEqual({ value: mockUpstashRestToken, secret: true })
  })
})
