// @ts-check
// The bench's HTTP client: node:http over keep-alive agents with a fixed number of sockets, so
// "1 connection" and "16 connections" mean exactly that. Each request is timed from the call to the
// first body byte and to the last; every request has a timeout, so nothing waits forever.
import { Agent, request } from 'node:http'

const REQUEST_TIMEOUT_MS = 30_000

/** @typedef {{ status: number, ms: number, firstByteMs: number, headers: import('node:http').IncomingHttpHeaders, body: string }} Reply */

/** A keep-alive client with at most `connections` sockets. */
export function client(connections = 1) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections })
  return {
    /**
     * @param {string} url
     * @param {string} body
     * @param {Record<string, string>} [headers]
     * @returns {Promise<Reply>}
     */
    post(url, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint()
        const ms = () => Number(process.hrtime.bigint() - start) / 1e6
        const req = request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, timeout: REQUEST_TIMEOUT_MS },
          (res) => {
            let firstByteMs = 0
            /** @type {Buffer[]} */
            const chunks = []
            res.on('data', (chunk) => {
              if (!firstByteMs) firstByteMs = ms()
              chunks.push(chunk)
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: ms(), firstByteMs: firstByteMs || ms(), headers: res.headers, body: Buffer.concat(chunks).toString() }))
            res.on('error', reject)
          },
        )
        req.on('timeout', () => req.destroy(new Error(`${url} took longer than ${REQUEST_TIMEOUT_MS / 1000} s`)))
        req.on('error', reject)
        req.end(body)
      })
    },
    close: () => agent.destroy(),
  }
}

/** @param {number[]} sorted @param {number} q */
export const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

/** @param {number[]} values */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: pct(sorted, 0.5), p95: pct(sorted, 0.95), p99: pct(sorted, 0.99), n: sorted.length }
}
