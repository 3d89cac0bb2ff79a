/** The Worker's entry: the gateway app on the policy compiled into this build. */
import { createApp } from './app.ts'
import { bundledPolicy } from './policy/bundled.ts'
import { consumeEvents } from './telemetry/consume-events.ts'

const app = createApp(bundledPolicy)

export default {
  fetch: app.fetch,
  queue: consumeEvents,
} satisfies ExportedHandler<Env>
