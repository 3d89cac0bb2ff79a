/**
 * The policy compiled into this build. `npm run build:policy` (run by `npm start`, the tests'
 * setup and the deploy) writes compiled.generated.ts from `policies/` (or WATCHLLM_POLICY_DIR).
 */
import type { CompiledPolicy } from './compile.ts'
import { compiledPolicy } from './compiled.generated.ts'

export const bundledPolicy: CompiledPolicy = compiledPolicy
