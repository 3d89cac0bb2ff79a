import { describe, expect, it } from 'vitest'
import { isAuthHeader, redactUrl, urlCredential } from './provider-credentials.ts'

describe('provider credentials in policy', () => {
  it('finds credentials in URLs: user info and key-like query parameters, any case or spelling', () => {
    expect(urlCredential('https://u:p@x.example/v1')).toContain('user info')
    expect(urlCredential('https://u@x.example/v1')).toContain('user info')
    for (const name of ['key', 'api_key', 'API-KEY', 'apikey', 'token', 'access_token', 'sig', 'code', 'x-api-key', 'Subscription-Key'])
      expect(urlCredential(`https://x.example/v1?${name}=abc`), name).toBe(`query parameter \`${name}\``)
    expect(urlCredential('https://x.example/openai/v1?api-version=2024-10-21')).toBeUndefined()
    expect(urlCredential('http://127.0.0.1:11434/v1')).toBeUndefined()
  })

  it('knows which headers authenticate', () => {
    for (const h of ['Authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'X-Goog-Api-Key', 'x-auth-token', 'cookie', 'x-session-token', 'openai-secret'])
      expect(isAuthHeader(h), h).toBe(true)
    for (const h of ['x-team', 'openai-organization', 'anthropic-beta', 'x-fake-script', 'http-referer', 'x-title', 'keyboard'])
      expect(isAuthHeader(h), h).toBe(false)
  })

  it('redacts URLs for display: user info and query values', () => {
    expect(redactUrl('https://u:p@x.example/v1?key=abc&api-version=1')).toBe('https://***:***@x.example/v1?key=***&api-version=***')
    expect(redactUrl('https://x.example/v1')).toBe('https://x.example/v1')
  })
})
