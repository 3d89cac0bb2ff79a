// Bindings only the tests have (vitest.config.ts): the D1 migrations, read in Node.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
  }
}
