/**
 * `{ kind: regex, pattern: '(?:password|passwd)\s*[:=]', flags: i }`: a JavaScript regular expression
 * tested on the request's text — every message (`in: messages`, the default), the last user message,
 * or the system prompt. The compiler refuses a pattern that can backtrack super-linearly
 * (`policy/regex-safety.ts`), so a rule can never be made to hang on a crafted prompt.
 *
 * @example when: [{ kind: regex, pattern: '\b(?:ssh-rsa|BEGIN OPENSSH)\b', in: last_user }]
 */
import { z } from 'zod'
import { defineCondition } from './define.ts'

export const regex = defineCondition({
  kind: 'regex',
  params: z.object({
    pattern: z.string().min(1).max(1000),
    /** Only `i`, `m`, `s`, `u`: the rule tests, it never iterates (`g`, `y`). */
    flags: z.string().regex(/^(?!.*(.).*\1)[imsu]*$/, 'may only combine i, m, s and u, each once').default(''),
    in: z.enum(['messages', 'last_user', 'system']).default('messages'),
  }),
  compile: (p) => {
    const re = new RegExp(p.pattern, p.flags)
    return (s) => re.test(s.text(p.in))
  },
})
