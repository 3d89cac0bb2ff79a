/**
 * The only provider keys the fakes accept. They must equal the FAKE_*_KEY bindings in
 * vitest.config.ts, which hands them to the worker under test; any other key gets a 401 in the
 * provider's own shape, so tests can assert that the right key reached the right upstream.
 */
export const FAKE_KEYS = {
  openai: 'sk-test-fake-openai',
  anthropic: 'sk-ant-test-fake',
  groq: 'gsk_testfakegroqkey',
} as const
