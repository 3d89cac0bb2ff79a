/**
 * Found by the fuzz suite: a client-supplied string with a NUL or an unpaired surrogate (a model
 * name, say) made Postgres refuse the whole telemetry batch (`unsupported Unicode escape
 * sequence`), so every event in it was retried and finally dead-lettered. Such characters are now
 * stored as U+FFFD, and the batch goes in.
 */
import { describe, expect, it } from 'vitest'
import { writeEventsToPostgres } from '../../src/telemetry/postgres-writer.ts'
import { genv, postgresEvents, sampleEvent, uniqueProject } from '../telemetry/helpers.ts'

describe('Postgres writer', () => {
  it('stores a batch whose events carry NUL and lone surrogates, with those characters replaced', async () => {
    const project = uniqueProject()
    const events = [
      sampleEvent({ project, model_requested: 'gpt-4o-mini\u0000', ts: Date.now() }),
      sampleEvent({ project, model_requested: 'x\ud800y', session: 'ok', ts: Date.now() + 1 }),
      sampleEvent({ project, ts: Date.now() + 2 }),
    ]
    await writeEventsToPostgres({ connectionString: genv.HYPERDRIVE.connectionString }, events)
    const rows = await postgresEvents(project)
    expect(rows.map((r) => r.request_id).sort()).toEqual(events.map((e) => e.request_id).sort())
  })
})
