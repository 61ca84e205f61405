import { formatCount, formatPercent } from "../domain/format"

type Props = { labels: readonly string[]; matrix: readonly (readonly number[])[]; caption: string }

/**
 * A confusion matrix as a table (readable by screen readers, every count in text), coloured by
 * each cell's share of its row: the diagonal of a good model is dark, its mistakes pale.
 */
export function ConfusionHeatmap({ labels, matrix, caption }: Props) {
  return (
    <div>
      <div className="axis-title" aria-hidden="true">
        Predicted label →
      </div>
      <table className="heatmap" data-testid="confusion-matrix">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">True label</span>
              <span aria-hidden="true">True ↓</span>
            </th>
            {labels.map((label) => (
              <th key={label} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0)
            return (
              <tr key={labels[i] ?? i}>
                <th scope="row">{labels[i] ?? `class ${i}`}</th>
                {row.map((n, j) => {
                  const share = total ? n / total : 0
                  return (
                    <td
                      key={j}
                      data-dark={share > 0.55}
                      style={{ background: `rgba(var(--heat), ${0.08 + share * 0.82})` }}
                      title={`${labels[i]} predicted as ${labels[j]}: ${n} of ${total}`}
                    >
                      <strong>{formatCount(n)}</strong>
                      <small>{formatPercent(share)}</small>
                    </td>
                  )
                })}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
