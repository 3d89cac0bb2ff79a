/**
 * `{ kind: client_ip, in: [10.0.0.0/8, 2001:db8::/32] }` (or `not_in`): the caller's address
 * (`CF-Connecting-IP`, which Cloudflare sets and a client cannot forge) against CIDR ranges, parsed
 * once by ipaddr.js. A request with no known address matches neither `in` nor `not_in`.
 *
 * @example when: [{ kind: client_ip, not_in: [203.0.113.0/24] }]
 */
import ipaddr from 'ipaddr.js'
import { z } from 'zod'
import { defineCondition } from './define.ts'

const cidr = z.string().refine((value) => {
  try {
    ipaddr.parseCIDR(value)
    return true
  } catch {
    return false
  }
}, 'must be a CIDR range such as 10.0.0.0/8 or 2001:db8::/32')

export const clientIp = defineCondition({
  kind: 'client_ip',
  params: z.object({ in: z.array(cidr).min(1).max(1000).optional(), not_in: z.array(cidr).min(1).max(1000).optional() }),
  refine: (p) => ((p.in === undefined) === (p.not_in === undefined) ? { path: ['in'], message: 'give exactly one of `in` and `not_in`' } : undefined),
  compile: (p) => {
    const ranges = (p.in ?? p.not_in ?? []).map((r) => ipaddr.parseCIDR(r))
    const wanted = p.in !== undefined
    return (s) => {
      if (!s.clientIp || !ipaddr.isValid(s.clientIp)) return false
      let address = ipaddr.parse(s.clientIp)
      // An IPv4 client seen through IPv6 (::ffff:a.b.c.d) is matched as the IPv4 address it is.
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address()
      const inside = ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits))
      return inside === wanted
    }
  },
})
