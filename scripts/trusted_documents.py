"""Write the trusted-documents manifest from the clients' GraphQL operations (run at build time).

    .venv/bin/python scripts/trusted_documents.py mobile/app [folder ...] -o trusted-documents.json

Reads every `graphql(`...`)` and gql`...` in .ts/.tsx/.js/.jsx files and every .graphql file
under the given folders (generated `gql/` folders skipped), checks each operation against
schema.graphql, and writes `{"<hash>": "<document>"}`: each operation with the fragments it
spreads, printed, and once more as urql's cache sends it (`__typename` added to every selection
below the root). The hash is the server's (server/graphql/documents.py: sha256 of the tokens),
so a client may send either the hash or the text; the server is started with
ACTIVECROWDS_TRUSTED_DOCUMENTS=<the file>.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    build_schema,
    parse,
    print_ast,
    validate,
    visit,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.graphql.documents import digest, tokens  # noqa: E402

TAGGED = re.compile(r"(?:\bgraphql\(\s*|\bgql\s*)`([^`]*)`")
SOURCES = (".ts", ".tsx", ".js", ".jsx")
SKIPPED = {"node_modules", "gql", "__generated__"}


def sources(folder: Path) -> Iterator[str]:
    """The GraphQL text of each tagged template and .graphql file under `folder`."""
    for path in sorted(folder.rglob("*")):
        if SKIPPED & set(path.relative_to(folder).parts) or not path.is_file():
            continue
        if path.suffix in (".graphql", ".gql"):
            yield path.read_text()
        elif path.suffix in SOURCES:
            yield from TAGGED.findall(path.read_text())


def operations(texts: list[str]) -> Iterator[DocumentNode]:
    """One document per operation, with the fragments it spreads (from any of `texts`)."""
    definitions = [d for text in texts for d in parse(text).definitions]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    for op in definitions:
        if isinstance(op, OperationDefinitionNode):
            yield DocumentNode(definitions=(op, *_fragments_used(op, fragments)))


def _fragments_used(
    op: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    found: dict[str, FragmentDefinitionNode] = {}
    pending: list[object] = [op]
    while pending:
        for name in _spread_names(pending.pop()):
            if name not in found:
                found[name] = fragments[name]
                pending.append(fragments[name])
    return list(found.values())


def _spread_names(node: object) -> list[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())  # type: ignore[arg-type]
    return names


class AddTypename(Visitor):
    """What urql's cacheExchange does: `__typename` ends every selection below the root."""

    def leave_selection_set(
        self, node: SelectionSetNode, _key: object, parent: object, *_: object
    ) -> SelectionSetNode | None:
        if isinstance(parent, OperationDefinitionNode):
            return None
        has = any(
            isinstance(s, FieldNode) and s.name.value == "__typename" and not s.alias
            for s in node.selections
        )
        if has:
            return None
        typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
        return SelectionSetNode(selections=(*node.selections, typename))


def manifest(folders: list[Path], schema_path: Path) -> dict[str, str]:
    """{hash: document} for every operation in `folders`, checked against the schema."""
    schema = build_schema(schema_path.read_text())
    found = [d for folder in folders for d in operations(list(sources(folder)))]
    out: dict[str, str] = {}
    for document in found:
        errors = validate(schema, document)
        if errors:
            raise SystemExit(f"{print_ast(document)}\n: {errors[0].message}")
        for variant in (document, visit(document, AddTypename())):
            text = print_ast(variant)
            out[digest(tokens(text))] = text
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="client source folders")
    parser.add_argument("-o", "--output", type=Path, help="manifest file (default: stdout)")
    parser.add_argument("--schema", type=Path, default=ROOT / "schema.graphql")
    args = parser.parse_args(argv)
    documents = manifest(args.folders, args.schema)
    text = json.dumps(documents, indent=2) + "\n"
    if args.output:
        args.output.write_text(text)
        print(f"wrote {args.output}: {len(documents)} trusted documents", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
