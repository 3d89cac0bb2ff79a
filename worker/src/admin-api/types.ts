/** The admin API's Hono environment: the gateway's bindings plus who is calling (for the audit). */
import type { AppVariables, GatewayEnv } from '../env.ts'

export interface AdminVariables extends AppVariables {
  /** Set by `adminAuth`: a fingerprint of the token used, plus the Access identity when present. */
  adminActor?: string
}

export type AdminEnv = { Bindings: GatewayEnv; Variables: AdminVariables }
