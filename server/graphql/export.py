"""`python -m server.graphql.export [path]`: write the schema in SDL (default: schema.graphql)."""

from __future__ import annotations

import sys
from pathlib import Path

from server.graphql.schema import schema_sdl


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "schema.graphql"
    path.write_text(schema_sdl())
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
