import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts"
import { formatCount, formatPercent } from "../domain/format"

export type CurvePoint = {
  round: number
  labelled: number
  accuracy: number
  f1: number
  precision: number
  recall: number
}

type Props = { points: readonly CurvePoint[]; baseline: number | null }

/** Score ticks every tenth from a little below the lowest score (or the baseline) to 100%: a few points' difference stays visible. */
function scoreTicks(points: readonly CurvePoint[], baseline: number | null): number[] {
  const lowest = Math.min(...points.flatMap((p) => [p.accuracy, p.f1]), baseline ?? 1)
  const from = Math.max(0, Math.floor(lowest * 10 - 0.5))
  return Array.from({ length: 11 - from }, (_, i) => (from + i) / 10)
}

/** Round ticks for the labelled count (steps of 1, 2 or 5 times a power of ten), with room past the last point. */
function labelledTicks(points: readonly CurvePoint[]): number[] {
  const most = Math.max(10, ...points.map((p) => p.labelled)) * 1.08
  const magnitude = 10 ** Math.floor(Math.log10(most / 5))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => most / s <= 6) ?? 10 * magnitude
  return Array.from({ length: Math.ceil(most / step) + 1 }, (_, i) => i * step)
}

// Legend in the order the lines matter: accuracy first.
const LEGEND_ORDER = ["accuracy", "f1"]

function RoundTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: CurvePoint }[] }) {
  const point = payload?.[0]?.payload
  if (!active || !point) return null
  return (
    <div className="chart-tooltip" data-testid="curve-tooltip">
      <strong>Round {point.round}</strong> · {formatCount(point.labelled)} labelled
      <dl>
        <dt>Test accuracy</dt>
        <dd>{formatPercent(point.accuracy)}</dd>
        <dt>F1</dt>
        <dd>{formatPercent(point.f1)}</dd>
        <dt>Precision</dt>
        <dd>{formatPercent(point.precision)}</dd>
        <dt>Recall</dt>
        <dd>{formatPercent(point.recall)}</dd>
      </dl>
    </div>
  )
}

/**
 * Test accuracy and F1 against the number of labelled samples, one point per round, with the
 * majority-class baseline. Hover (or focus the chart and use the arrow keys) for a round's numbers.
 */
export default function LearningCurveChart({ points, baseline }: Props) {
  const yTicks = scoreTicks(points, baseline)
  const xTicks = labelledTicks(points)
  return (
    <div className="chart" data-testid="learning-curve" data-points={points.length}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height: 300 }}>
        <LineChart
          data={points}
          margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
          title="Learning curve: test accuracy and F1 per round; arrow keys step through the rounds"
        >
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis
            dataKey="labelled"
            type="number"
            domain={[0, xTicks[xTicks.length - 1] ?? 10]}
            ticks={xTicks}
            tickFormatter={(v: number) => formatCount(v)}
            stroke="var(--muted)"
            tick={{ fill: "var(--muted)", fontSize: 12 }}
            label={{
              value: "Labelled samples",
              position: "insideBottom",
              offset: -4,
              fill: "var(--muted)",
              fontSize: 12,
            }}
            height={44}
          />
          <YAxis
            domain={[yTicks[0] ?? 0, 1]}
            ticks={yTicks}
            tickFormatter={(v: number) => formatPercent(v)}
            stroke="var(--muted)"
            tick={{ fill: "var(--muted)", fontSize: 12 }}
            width={64}
          />
          <Tooltip content={<RoundTooltip />} cursor={{ stroke: "var(--muted)", strokeDasharray: "4 4" }} />
          <Legend
            verticalAlign="top"
            height={28}
            wrapperStyle={{ fontSize: 13 }}
            itemSorter={(item) => LEGEND_ORDER.indexOf(String(item.dataKey))}
          />
          {baseline !== null ? (
            <ReferenceLine
              y={baseline}
              stroke="var(--series-baseline)"
              strokeDasharray="6 4"
              label={{
                value: `Majority class ${formatPercent(baseline)}`,
                position: "insideBottomLeft",
                fill: "var(--muted)",
                fontSize: 12,
              }}
            />
          ) : null}
          <Line
            name="Test accuracy"
            dataKey="accuracy"
            stroke="var(--series-accuracy)"
            strokeWidth={2.5}
            dot={{ r: 4, fill: "var(--series-accuracy)" }}
            activeDot={{ r: 6 }}
            isAnimationActive={false}
          />
          <Line
            name="F1"
            dataKey="f1"
            stroke="var(--series-f1)"
            strokeWidth={2}
            strokeDasharray="5 3"
            dot={{ r: 3.5, fill: "var(--series-f1)" }}
            activeDot={{ r: 5.5 }}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}
