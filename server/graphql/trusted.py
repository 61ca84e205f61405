"""Trusted documents: the operations the app and console were built with, known by their hash.

The manifest is written at build time by scripts/trusted_documents.py from the clients' sources:
`{"<sha256 of the document's tokens>": "<document>"}` (documents.digest: the hash ignores
layout and comments, so a client's printer may format the text as it likes). A client sends
`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hash>"}}}` (Apollo's and
urql's persisted-query shape) instead of `query`, or the full text; with
ACTIVECROWDS_TRUSTED_DOCUMENTS_ONLY nothing else runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from activecrowds.domain.errors import ValidationError
from server.graphql.documents import digest, tokens


class Manifest:
    """Trusted documents by hash."""

    def __init__(self, documents: Mapping[str, str] | None = None) -> None:
        self.documents = dict(documents or {})
        for key, text in self.documents.items():
            if digest(tokens(text)) != key:
                raise ValidationError(f"trusted document {key[:12]}... does not match its hash")

    @classmethod
    def load(cls, path: Path | None) -> Manifest:
        """The manifest at `path` (none: an empty one)."""
        if path is None:
            return cls()
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ValidationError(f"cannot read trusted documents from {path}: {exc}") from exc
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise ValidationError(f"{path} is not a {{hash: document}} JSON object")
        return cls(raw)

    def get(self, key: str) -> str | None:
        return self.documents.get(key)


def requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The persisted-query hash a request names in its extensions, if any."""
    persisted = (extensions or {}).get("persistedQuery")
    found = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return found if isinstance(found, str) else None
