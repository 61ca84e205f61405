import type { ReactNode } from "react"
import type { Direction } from "../domain/sort"

type Props<K extends string> = {
  sortKey: K
  current: { key: K; direction: Direction }
  onSort: (key: K) => void
  className?: string
  children: ReactNode
}

/** A column header that sorts its table: a button inside the th, the order told by aria-sort. */
export function SortableHeader<K extends string>({ sortKey, current, onSort, className, children }: Props<K>) {
  const active = current.key === sortKey
  return (
    <th scope="col" className={className} aria-sort={active ? current.direction : "none"}>
      <button type="button" className="sort" onClick={() => onSort(sortKey)}>
        {children}
        <span aria-hidden="true" className="sort-mark">
          {active ? (current.direction === "ascending" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  )
}
