/**
 * The request in its own shape, kept beside its chat view for the whole pipeline: made once by
 * `validate` (a Responses chain's earlier turns read from the store), redacted by the guard (the
 * chat view then re-made from it, keeping what policy set on the view), and — when it is sent to a
 * native upstream or keyed by the exact cache — carrying the parameters policy changed on the view
 * (`nativeBody`), in the shape's own names.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import type { ChatRequest } from '../providers/types.ts'
import { inputItems } from './responses/to-chat.ts'
import { loadConversation } from './responses/store.ts'
import type { ChatView, NativeRequest, Shape } from './types.ts'

type Json = Record<string, unknown>

/** Headers a native upstream gets as the client sent them: the API version and beta features it asked for. */
const PASSED_HEADERS = ['anthropic-version', 'anthropic-beta']

export async function prepareNative(c: Context<AppEnv>, shape: Shape, body: Json): Promise<void> {
  let history: Json[] | undefined
  const previous = body.previous_response_id
  if (shape.id === 'responses' && typeof previous === 'string') {
    if (!c.env.DB) throw new GatewayError(503, 'storage_unavailable', 'previous_response_id needs the gateway’s D1 store, which is not bound.')
    history = await loadConversation(c.env.DB, c.get('caller').project, previous, Date.now())
  }
  const view = viewOf(shape, body, history)
  const passHeaders: Record<string, string> = {}
  for (const name of PASSED_HEADERS) {
    const value = c.req.header(name)
    if (value) passHeaders[name] = value
  }
  c.set('native', { shape: shape.id, body, history, id: newId(shape), passHeaders, viewParams: paramsOf(view.chat), view })
  c.set('body', view.chat)
}

/** The guard redacted the native body: the chat view is made again from it, with what policy set on the old one. */
export function replaceNativeBody(c: Context<AppEnv>, shape: Shape, body: Json): void {
  const native = c.get('native')!
  const view = viewOf(shape, body, native.history)
  c.set('native', { ...native, body, view })
  c.set('body', { ...view.chat, ...changedParams(c.get('body'), native.viewParams) })
}

/** The native body with the parameters policy changed on the chat view since it was made. */
export function nativeBody(c: Context<AppEnv>, shape: Shape): Json {
  const native = c.get('native')!
  const changed = changedParams(c.get('body'), native.viewParams)
  return Object.keys(changed).length > 0 ? shape.applyParams(native.body, changed) : native.body
}

/** What a native upstream is sent: for Responses, the chain stood for by its items (the upstream may never have seen it). */
export function upstreamBody(c: Context<AppEnv>, shape: Shape): Json {
  const body = nativeBody(c, shape)
  const history = c.get('native')?.history
  if (!history) return body
  const { previous_response_id: _previous, ...rest } = body
  return { ...rest, input: [...history, ...inputItems(body.input)] }
}

function viewOf(shape: Shape, body: Json, history: Json[] | undefined): ChatView {
  const view = shape.toChat(body, history)
  if (!view.ok) throw new GatewayError(400, 'invalid_request', `${view.error.param}: ${view.error.message}`, view.error.param)
  return view.value
}

function paramsOf(chat: ChatRequest): Json {
  const { messages: _messages, ...params } = chat
  return params
}

function changedParams(body: Json, before: Json): Json {
  const changed: Json = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'messages' || key === 'model') continue
    if (JSON.stringify(value) !== JSON.stringify(before[key])) changed[key] = value
  }
  return changed
}

/** `msg_01…` / `resp_…` as the providers spell them; random, so every answer has its own. */
function newId(shape: Shape): string {
  const bytes = crypto.getRandomValues(new Uint8Array(shape.id === 'messages' ? 12 : 24))
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return shape.id === 'messages' ? `msg_01${hex}` : `resp_${hex}`
}

export type { NativeRequest }
