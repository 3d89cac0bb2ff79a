/**
 * The TCP socket the `postgres` driver uses in workerd, given through its `socket` option. The
 * driver's built-in Workers socket emits an 'error' after the driver has closed the connection and
 * removed its listeners (the pending read rejects when the socket closes), which surfaces as an
 * unhandled rejection on every `sql.end()`. This one reports errors only while someone listens.
 * Plain TCP only: Hyperdrive (and local Postgres) speak to the Worker without TLS.
 */
import { Buffer } from 'node:buffer'
import { EventEmitter } from 'node:events'
import { connect } from 'cloudflare:sockets'

export class WorkerSocket extends EventEmitter {
  readyState: 'open' | 'closed' = 'open'
  private readonly raw: Socket
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>

  constructor(hostname: string, port: number) {
    super()
    this.raw = connect({ hostname, port })
    this.writer = this.raw.writable.getWriter()
    this.reader = this.raw.readable.getReader()
    this.raw.closed.then(
      () => this.close(),
      (e: unknown) => this.fail(e),
    )
    void this.read()
  }

  /** Resolves once connected, rejects if the connection is refused. */
  opened(): Promise<this> {
    return this.raw.opened.then(() => this)
  }

  write(data: Uint8Array, callback?: () => void): boolean {
    this.writer.write(data).then(callback, (e: unknown) => this.fail(e))
    return true
  }

  end(data?: Uint8Array): void {
    if (data) this.write(data, () => void this.raw.close().catch(() => undefined))
    else void this.raw.close().catch(() => undefined)
  }

  destroy(): void {
    this.end()
  }

  // The driver pauses and resumes only COPY streams, which telemetry never uses.
  pause(): void {}
  resume(): void {}

  private async read(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.reader.read()
        if (done) break
        this.emit('data', Buffer.from(value))
      }
    } catch (e) {
      this.fail(e)
    }
  }

  private fail(error: unknown): void {
    if (this.readyState !== 'closed' && this.listenerCount('error') > 0) this.emit('error', error)
    this.close()
  }

  private close(): void {
    if (this.readyState === 'closed') return
    this.readyState = 'closed'
    this.emit('close')
  }
}

/** The driver's `socket` option: connects to the connection string's host and port. */
export function openSocket(options: { host: string[]; port: number[] }): Promise<WorkerSocket> {
  return new WorkerSocket(options.host[0] ?? '127.0.0.1', options.port[0] ?? 5432).opened()
}
