import { describe, expect, it } from 'vitest'
import { ago, ms, msPair, pct, usd, usdShort } from './format.ts'

describe('how the admin site writes numbers', () => {
  it('money: cents and above to the cent, fractions of a cent in fixed notation, never scientific', () => {
    expect(usd(12.3456)).toBe('$12.35')
    expect(usd(0.075)).toBe('$0.0750')
    expect(usd(0.0000153)).toBe('$0.0000153')
    expect(usdShort(0.00000795)).toBe('$0.0000080')
    expect(usd(1e-7)).toBe('$0.000000100')
    expect(usd(0)).toBe('$0.00')
  })

  it('durations switch to seconds past one second', () => {
    expect(ms(2)).toBe('2.00 ms')
    expect(ms(29)).toBe('29.0 ms')
    expect(ms(1500)).toBe('1.50 s')
    expect(ms(null)).toBe('—')
    expect(msPair(2, 29)).toBe('2.0 / 29 ms')
    expect(msPair(850, 2400)).toBe('0.85 / 2.4 s')
  })

  it('ratios and ages', () => {
    expect(pct(0.25)).toBe('25.0%')
    expect(pct(null)).toBe('—')
    expect(ago(1_000, 61_000)).toBe('1m ago')
    expect(ago(null)).toBe('never')
  })
})
