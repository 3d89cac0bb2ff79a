/**
 * OpenAI Responses' typed server-sent events: `event: <type>` and a `data` object carrying the same
 * `type` and a `sequence_number` that counts up from 0. A stream that fails ends with
 * `response.failed` (its response carries the error) then an `error` event — the one the `openai`
 * SDK raises as an APIError, in plain iteration and in `responses.stream()` alike.
 */
const encoder = new TextEncoder()

export class ResponseEvents {
  private sequence: number

  constructor(start = 0) {
    this.sequence = start
  }

  /** The next sequence number (what the following event gets). */
  get next(): number {
    return this.sequence
  }

  event(type: string, data: Record<string, unknown> = {}): Uint8Array {
    return encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...data })}\n\n`)
  }

  /** `response.failed` with the response as it stood, then `error`. */
  failure(response: Record<string, unknown>, code: string, message: string): Uint8Array[] {
    return [
      this.event('response.failed', { response: { ...response, status: 'failed', error: { code, message } } }),
      this.event('error', { code, message, param: null }),
    ]
  }
}
