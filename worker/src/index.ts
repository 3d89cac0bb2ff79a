/** The Worker's entry: the gateway app on the policy compiled into this build. */
import { adminSiteEntrypoint } from './admin-api/entrypoint.ts'
import { createApp } from './app.ts'
import { scheduledWork } from './governance/scheduled.ts'
import { bundledPolicy } from './policy/bundled.ts'
import { consumeEvents } from './telemetry/consume-events.ts'

export { ScopeLedger } from './durable/scope-ledger.ts'

const app = createApp(bundledPolicy)
/** The admin API for the admin site's service binding only (the public hostname never reaches it). */
export const AdminApi = adminSiteEntrypoint(bundledPolicy)

export default {
  fetch: app.fetch,
  queue: consumeEvents,
  scheduled: scheduledWork(bundledPolicy),
} satisfies ExportedHandler<Env>
