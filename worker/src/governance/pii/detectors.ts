/** Every PII detector, in one list: a new detector is one file plus one line here. */
import { digitRuns } from './digit-runs.ts'
import { email } from './email.ts'
import { iban } from './iban.ts'
import { ipv6 } from './ipv6.ts'
import type { Detector } from './kinds.ts'
import { secret } from './secret.ts'

export const detectors: readonly Detector[] = [email, digitRuns, iban, ipv6, secret]
