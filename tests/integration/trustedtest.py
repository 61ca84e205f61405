"""The clients' trusted documents, as scripts/trusted_documents.py writes them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Manifest:
    """The manifest file the build script wrote, and what it holds."""

    path: Path
    documents: dict[str, str]

    def hash_of(self, operation: str) -> str:
        """The hash of an operation as written (its shortest form: no `__typename` added)."""
        found = (k for k, v in self.documents.items() if v.startswith(operation))
        return min(found, key=lambda k: len(self.documents[k]))
