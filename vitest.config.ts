import { defineConfig } from 'vitest/config'
import { cloudflareTest } from '@cloudflare/vitest-plugin'

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          // Fake upstreams, redis-server and the Upstash REST shim are started by globalSetup on
          // 127.0.0.1 (random ports); their URLs reach the worker as plain vars.
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './worker/wrangler.jsonc', environment: 'local' },
            remoteBindings: false,
            miniflare: {
              bindings: {
                FAKE_OPENAI_URL: inject<string>('fakeOpenaiUrl'),
                FAKE_ANTHROPIC_URL: inject<string>('fakeAnthropicUrl'),
                FAKE_GROQ_URL: inject<string>('fakeGroqUrl'),
                UPSTASH_REDIS_REST_URL: inject<string>('upstashUrl'),
                UPSTASH_REDIS_REST_TOKEN: inject<string>('upstashToken'),
                FAKE_OPENAI_KEY: 'sk-test-fake-openai',
                FAKE_ANTHROPIC_KEY: 'sk-ant-test-fake',
                FAKE_GROQ_KEY: 'gsk_testfakegroqkey',
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['worker/src/**/*.test.ts', 'worker/test/**/*.test.ts'],
          globalSetup: ['./worker/test/global-setup.ts'],
        },
      },
      {
        // Pulumi unit tests (setMocks) and the dynamic providers against local fake APIs: plain Node.
        test: { name: 'infra', environment: 'node', include: ['infra/**/*.test.ts'], testTimeout: 30_000 },
      },
    ],
  },
})
