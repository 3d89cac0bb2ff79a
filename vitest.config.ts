import { defineConfig } from 'vitest/config'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'

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
                // The local embeddings endpoint (real USE-lite) the semantic cache embeds with.
                EMBEDDINGS_URL: inject<string>('embeddingsUrl'),
                // Alerts and reports post here (tests append a path of their own).
                WEBHOOK_RECEIVER_URL: inject<string>('webhookUrl'),
                // A fake Cloudflare Access team domain (its JWKS) and the key that signs its assertions.
                FAKE_ACCESS_URL: inject<string>('accessTeamUrl'),
                FAKE_ACCESS_PRIVATE_JWK: inject<string>('accessPrivateJwk'),
                FAKE_ACCESS_FOREIGN_JWK: inject<string>('accessForeignJwk'),
                // The fuzz suite's size and seed (worker/test/fuzz): `npm run fuzz` sets 10,000.
                FUZZ_REQUESTS: process.env.FUZZ_REQUESTS ?? '',
                FUZZ_SEED: process.env.FUZZ_SEED ?? '',
                FAKE_OPENAI_KEY: 'sk-test-fake-openai',
                FAKE_ANTHROPIC_KEY: 'sk-ant-test-fake',
                FAKE_GROQ_KEY: 'gsk_testfakegroqkey',
                // Applied before each test file by worker/test/telemetry/apply-d1-migrations.ts.
                TEST_MIGRATIONS: await readD1Migrations('./worker/migrations/d1'),
              },
              // The run's own Postgres database (worker/test/telemetry/postgres-global-setup.ts).
              hyperdrives: { HYPERDRIVE: inject<string>('pgUrl') },
              // A small rate-limit binding for the `limits.backend: binding` tests.
              ratelimits: { TEST_RATE_LIMITER: { namespace_id: '9001', simple: { limit: 3, period: 60 } } },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['worker/src/**/*.test.ts', 'worker/test/**/*.test.ts'],
          // The fakes run in Node (they are HTTP servers); their own tests belong to the `node` project.
          exclude: ['worker/test/fakes/**'],
          globalSetup: ['./worker/test/global-setup.ts', './worker/test/telemetry/postgres-global-setup.ts'],
          setupFiles: ['./worker/test/telemetry/apply-d1-migrations.ts', './worker/test/log-scan.ts'],
        },
      },
      {
        // Node-side tests: the fake upstreams and Upstash shim (against a real redis-server), scripts/.
        test: {
          name: 'node',
          environment: 'node',
          include: ['worker/test/fakes/**/*.test.ts', 'scripts/**/*.test.{ts,mjs}', 'bench/**/*.test.{ts,mjs}'],
          testTimeout: 30_000,
        },
      },
      {
        // Pulumi unit tests (setMocks) and the dynamic providers against local fake APIs: plain Node.
        test: { name: 'infra', environment: 'node', include: ['infra/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        // The built admin site in headless Chromium against a local gateway (wrangler dev) it starts.
        test: { name: 'admin', environment: 'node', include: ['admin/src/**/*.test.ts', 'admin/test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 240_000 },
      },
    ],
  },
})
