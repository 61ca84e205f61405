import { create } from "qrcode"

type Props = { value: string; label: string; size?: number }

// Scanners want dark modules on a light ground with a quiet zone of four modules around them,
// whatever the console's theme.
const QUIET = 4

/** The dark modules as one SVG path: a unit square per module. */
function modulesPath(value: string): { path: string; width: number } {
  const { modules } = create(value, { errorCorrectionLevel: "M" })
  const parts: string[] = []
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) parts.push(`M${col + QUIET} ${row + QUIET}h1v1h-1z`)
    }
  }
  return { path: parts.join(""), width: modules.size + 2 * QUIET }
}

/** A QR code of `value`, drawn as SVG (crisp at any zoom, printable), named for screen readers. */
export default function QrCode({ value, label, size = 184 }: Props) {
  const { path, width } = modulesPath(value)
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${width}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
      data-testid="qr-code"
      data-value={value}
    >
      <rect width={width} height={width} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}
