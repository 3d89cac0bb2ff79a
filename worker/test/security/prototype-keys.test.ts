/**
 * Defect 9 of the security review: model aliases come from the client, and policy maps are plain
 * objects, so `policy.models['__proto__']` found Object.prototype. Every policy lookup by name now
 * sees own properties only: such a model is a 404 like any unknown one.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const DEV_KEY = 'lgw_local_dev_key'
const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']

describe('inherited property names as model aliases', () => {
  for (const endpoint of ['chat/completions', 'embeddings'])
    for (const model of names)
      it(`${endpoint}: model "${model}" is a 404 model_not_found`, async () => {
        const body = endpoint === 'embeddings' ? { model, input: 'x' } : { model, messages: [{ role: 'user', content: 'x' }] }
        const res = await exports.default.fetch(
          new Request(`http://gateway.test/v1/${endpoint}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        )
        expect(res.status).toBe(404)
        expect(await res.json()).toEqual({ error: { message: `The model \`${model}\` does not exist.`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } })
      })
})
