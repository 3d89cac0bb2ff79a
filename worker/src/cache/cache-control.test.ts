import { describe, expect, it } from 'vitest'
import { cacheIntent } from './cache-control.ts'

describe('cache intent', () => {
  it.each([
    [{}, { read: true, write: true }],
    [{ watchllm: 'bypass' }, { read: false, write: false }],
    [{ control: 'no-store' }, { read: false, write: false }],
    [{ watchllm: 'refresh' }, { read: false, write: true }],
    [{ control: 'max-age=0, no-cache' }, { read: false, write: true }],
    // no-store wins: the client said the answer must not be kept.
    [{ watchllm: 'REFRESH', control: 'no-store' }, { read: false, write: false }],
  ])('%o → %o', (headers, expected) => {
    const r = cacheIntent(headers)
    expect(r.ok && { read: r.value.read, write: r.value.write }).toEqual(expected)
  })

  it('defaults the namespace and rejects one that is not a plain name', () => {
    const ok = cacheIntent({ namespace: 'team-a.v2' })
    expect(ok.ok && ok.value.namespace).toBe('team-a.v2')
    expect(cacheIntent({}).ok && (cacheIntent({}) as { value: { namespace: string } }).value.namespace).toBe('default')
    expect(cacheIntent({ namespace: 'a:b' }).ok).toBe(false)
    expect(cacheIntent({ watchllm: 'sometimes' }).ok).toBe(false)
  })
})
