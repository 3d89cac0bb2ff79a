/**
 * uPlot charts that follow the page: colours from the theme's CSS variables (redrawn when the theme
 * changes), width from the container (redrawn on resize), values formatted as the site formats them.
 */
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface SeriesSpec {
  label: string
  /** A CSS variable holding the colour, e.g. `--chart-1`. */
  color: string
  values: (number | null)[]
  format: (v: number) => string
  bars?: boolean
  /** Plot on the right-hand axis (a second unit). */
  right?: boolean
}

const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

const charts = new Set<{ redraw: () => void }>()
window.addEventListener('theme:change', () => charts.forEach((c) => c.redraw()))

function axis(format: (v: number) => string, side?: 1 | 3): uPlot.Axis {
  return {
    // 3 = left (uPlot's default for y); an explicit `undefined` would not mean the default.
    side: side ?? 3,
    stroke: cssVar('--text-3'),
    grid: { stroke: cssVar('--grid'), width: 1 },
    ticks: { show: false },
    // Wide enough for the longest label (money can be long: $0.000015).
    size: (_u, values) => (values?.length ? Math.max(...values.map((v) => v.length)) * 6.4 + 16 : 40),
    font: `11px ${cssVar('--font')}`,
    values: (_u, ticks) => ticks.map((t) => format(t)),
  }
}

const hourMinute = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hour12: false })
const monthDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' })
const full = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })

/** Axis ticks: times of day within two days, dates beyond. */
const tickLabel = (t: number, span: number): string => (span <= 2 * 86_400_000 ? hourMinute.format(t) : monthDay.format(t))
const pointLabel = (t: number, _span: number): string => full.format(t)

/** A time series; `times` in ms since epoch. Replaces whatever `el` held. */
export function timeChart(el: HTMLElement, times: number[], series: SeriesSpec[], height = 220): void {
  const span = (times.at(-1) ?? 0) - (times[0] ?? 0)
  const draw = () => {
    const left = series.find((s) => !s.right)
    const right = series.find((s) => s.right)
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      padding: [8, 8, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, r: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        {
          stroke: cssVar('--text-3'),
          grid: { show: false },
          ticks: { show: false },
          font: `11px ${cssVar('--font')}`,
          values: (_u, ticks) => ticks.map((t) => tickLabel(t * 1000, span)),
        },
        axis(left?.format ?? String),
        ...(right ? [{ ...axis(right.format, 1), scale: 'r', grid: { show: false } }] : []),
      ],
      series: [
        { value: (_u, v) => (v === null ? '—' : pointLabel(v * 1000, span)) },
        ...series.map((s) => {
          const color = cssVar(s.color)
          // A line needs two neighbours to show: few points get dots, so a lone value is visible.
          const sparse = s.values.filter((v) => v !== null).length < 30
          return {
            label: s.label,
            scale: s.right ? 'r' : 'y',
            stroke: color,
            width: s.bars ? 0 : 2,
            fill: s.bars ? `${color}cc` : `${color}1f`,
            points: { show: !s.bars && sparse, size: 6, fill: color },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : s.format(v)),
            ...(s.bars ? { paths: uPlot.paths.bars!({ size: [0.7, 24] }) } : {}),
          }
        }),
      ],
    }
    el.replaceChildren()
    return new uPlot(opts, [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData, el)
  }
  mount(el, draw)
}

/** Vertical bars over labelled bins (a histogram). */
export function barChart(el: HTMLElement, labels: string[], values: number[], spec: { label: string; color: string; format: (v: number) => string }, height = 220): void {
  const draw = () => {
    const color = cssVar(spec.color)
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      padding: [8, 8, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { live: true },
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { stroke: cssVar('--text-3'), grid: { show: false }, ticks: { show: false }, font: `11px ${cssVar('--font')}`, values: (_u, ticks) => ticks.map((t) => labels[Math.round(t)] ?? ''), splits: () => labels.map((_, i) => i) },
        axis(spec.format),
      ],
      series: [
        { value: (_u, v) => labels[Math.round(v)] ?? '' },
        { label: spec.label, stroke: color, width: 0, fill: `${color}cc`, points: { show: false }, paths: uPlot.paths.bars!({ size: [0.8, 48] }), value: (_u, v) => (v === null ? '—' : spec.format(v)) },
      ],
    }
    el.replaceChildren()
    return new uPlot(opts, [labels.map((_, i) => i), values], el)
  }
  mount(el, draw)
}

/** What to undo before a chart is drawn again into the same element. */
const mounted = new WeakMap<HTMLElement, () => void>()

function mount(el: HTMLElement, draw: () => uPlot): void {
  mounted.get(el)?.()
  let plot = draw()
  const handle = {
    redraw: () => {
      plot.destroy()
      plot = draw()
    },
  }
  charts.add(handle)
  let width = el.clientWidth
  const observer = new ResizeObserver(() => {
    if (Math.abs(el.clientWidth - width) < 2) return
    width = el.clientWidth
    plot.setSize({ width: Math.max(280, width), height: plot.height })
  })
  observer.observe(el)
  mounted.set(el, () => {
    observer.disconnect()
    charts.delete(handle)
    plot.destroy()
  })
}
