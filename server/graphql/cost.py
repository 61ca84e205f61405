"""What an operation asks for, measured before it runs: nodes, depth and aliases.

Nodes are counted as GitHub's GraphQL API counts them: every object the response may hold, a
list multiplying everything below it by its size. Plain lists take no `first` argument, so each
list of objects has an assumed size (LIST_SIZES); a connection's edges count as a full page
(MAX_PAGE, what `first` may ask for: a document is measured once, whatever its variables);
introspection lists count the schema's real sizes. Depth and aliases follow Strawberry's
limiters (introspection fields add no depth; an alias inside a fragment counts once per spread).

Each fragment is measured once and reused wherever it is spread, so the walk is linear in the
document. Strawberry's own depth and alias limiters walk every spread again: a chain of
fragments each spreading the next twice (a few hundred tokens) keeps them busy for minutes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_named_type,
    get_nullable_type,
    is_composite_type,
)

from activecrowds.config import Settings
from activecrowds.domain.pages import MAX_PAGE
from activecrowds.domain.rules import MAX_LABELS
from activecrowds.services.datasets import MAX_PREVIEWS
from server.graphql.types.enums import TaskCategory, TaskSubcategory

# Assumed sizes of our lists of objects (a test checks every one in the schema is here).
LIST_SIZES: Mapping[tuple[str, str], int] = {
    ("Query", "tasks"): 100,
    ("Query", "categories"): len(TaskCategory),
    ("Category", "subcategories"): len(TaskSubcategory),
    ("Task", "rounds"): 50,
    ("Batch", "samples"): 100,
    ("Batch", "assigned"): 100,
    ("Query", "invites"): 100,
    ("Query", "annotators"): 1000,
    ("Query", "datasets"): 100,
    ("PredictionConnection", "edges"): MAX_PAGE,
    ("TaskConnection", "edges"): MAX_PAGE,
    ("BatchConnection", "edges"): MAX_PAGE,
    ("SampleConnection", "edges"): MAX_PAGE,
    ("AnnotatorProfileConnection", "edges"): MAX_PAGE,
    ("MyAnswerConnection", "edges"): MAX_PAGE,
    ("Batch", "myAnswers"): 100,  # one answer a sample: as many as Batch.samples
    ("Sample", "votes"): MAX_LABELS,
    ("Dataset", "labelCounts"): MAX_LABELS,
    ("Dataset", "previews"): MAX_PREVIEWS,
    ("ClassifyPayload", "results"): Settings.classify_max_files,  # its default
    ("Classification", "probabilities"): MAX_LABELS,
}
UNKNOWN_LIST_SIZE = 100  # a list LIST_SIZES does not name


@dataclass(frozen=True)
class Shape:
    """An operation's size: objects it may return, nested object levels, aliases."""

    nodes: int = 0
    depth: int = 0
    aliases: int = 0

    def __add__(self, other: Shape) -> Shape:
        return Shape(
            self.nodes + other.nodes, max(self.depth, other.depth), self.aliases + other.aliases
        )


def list_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """LIST_SIZES plus the introspection lists' largest sizes in this schema."""
    types = list(schema.type_map.values())

    def most(kind: type, attr: str) -> int:
        return max((len(getattr(t, attr)) for t in types if isinstance(t, kind)), default=0)

    fields = [f for t in types if isinstance(t, GraphQLObjectType) for f in t.fields.values()]
    arguments = [len(f.args) for f in fields] + [len(d.args) for d in schema.directives]
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): most(GraphQLObjectType, "fields"),
        ("__Type", "interfaces"): most(GraphQLObjectType, "interfaces"),
        ("__Type", "possibleTypes"): most(GraphQLUnionType, "types"),
        ("__Type", "inputFields"): most(GraphQLInputObjectType, "fields"),
        ("__Type", "enumValues"): max((len(getattr(t, "values", ())) for t in types), default=0),
        ("__Field", "args"): max(arguments, default=0),
        ("__Directive", "args"): max(arguments, default=0),
        **LIST_SIZES,
    }


class Measure:
    """Measures the operations of one valid document (fragments once each)."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, sizes: Mapping[tuple[str, str], int]
    ) -> None:
        self.schema = schema
        self.sizes = sizes
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, Shape] = {}
        self.by_list: dict[str, Counter[str]] = {}
        self.document = document

    def operations(self) -> dict[str | None, Shape]:
        """Each operation's shape, by name (None for an unnamed one)."""
        shapes = {}
        for op in self.document.definitions:
            if isinstance(op, OperationDefinitionNode):
                root = self.schema.get_root_type(op.operation)
                name = op.name.value if op.name else None
                shapes[name] = self.selections(root, op.selection_set) if root else Shape()
        return shapes

    def selections(self, parent: GraphQLNamedType, selection_set: SelectionSetNode) -> Shape:
        """One instance of `parent`'s selection: what it adds below itself."""
        total = Shape()
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                inner = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selections(inner or parent, node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value)
        return total

    def fragment(self, name: str) -> Shape:
        if name not in self.measured:
            self.measured[name] = Shape()  # a cycle (refused by validation) adds nothing
            definition = self.fragments[name]
            inner = self.schema.get_type(definition.type_condition.name.value)
            if inner is not None:
                self.measured[name] = self.selections(inner, definition.selection_set)
        return self.measured[name]

    def field(self, parent: GraphQLNamedType, node: FieldNode) -> Shape:
        name = node.name.value
        alias = Shape(aliases=1) if node.alias else Shape()
        definition = _field_definition(self.schema, parent, name)
        if definition is None or node.selection_set is None:
            return alias
        if not is_composite_type(get_named_type(definition.type)):
            return alias
        if (parent.name, name) == ("__Schema", "types"):
            return alias + self.each_type(node.selection_set)
        count = self.sizes.get((parent.name, name), UNKNOWN_LIST_SIZE) ** _list_levels(
            definition.type
        )
        below = self.selections(get_named_type(definition.type), node.selection_set)
        depth = 0 if name.startswith("__") else 1 + below.depth
        return alias + Shape(count * (1 + below.nodes), depth, below.aliases)

    def each_type(self, selection_set: SelectionSetNode) -> Shape:
        """`__schema { types }`: every type once, each with its own lists where the selection
        starts (the largest lists below that), not the largest lists times every type."""
        introspected = self.schema.get_type("__Type")
        assert introspected is not None
        once = self.selections(introspected, selection_set)  # its depth and aliases
        parts = self.per_list(introspected, selection_set)
        nodes = 0
        for named in self.schema.type_map.values():
            own = _own_lists(self.schema, named)
            nodes += 1 + parts[""] + sum(parts[name] * size for name, size in own.items())
        return Shape(nodes, once.depth, once.aliases)

    def per_list(self, parent: GraphQLNamedType, selection_set: SelectionSetNode) -> Counter[str]:
        """A __Type's selection as what one item of each of its own lists adds ("": the rest),
        so that the nodes of a type are linear in its lists' sizes; fragments once each."""
        parts: Counter[str] = Counter()
        for node in selection_set.selections:
            if isinstance(node, FieldNode) and node.name.value in TYPE_LISTS:
                definition = _field_definition(self.schema, parent, node.name.value)
                if definition is not None and node.selection_set is not None:
                    below = self.selections(get_named_type(definition.type), node.selection_set)
                    parts[node.name.value] += 1 + below.nodes
            elif isinstance(node, FieldNode):
                parts[""] += self.field(parent, node).nodes
            elif isinstance(node, InlineFragmentNode):
                parts += self.per_list(parent, node.selection_set)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                parts += self.fragment_lists(parent, node.name.value)
        return parts

    def fragment_lists(self, parent: GraphQLNamedType, name: str) -> Counter[str]:
        if name not in self.by_list:
            self.by_list[name] = Counter()  # a cycle (refused by validation) adds nothing
            self.by_list[name] = self.per_list(parent, self.fragments[name].selection_set)
        return self.by_list[name]


TYPE_LISTS = ("fields", "interfaces", "possibleTypes", "inputFields", "enumValues")


def _own_lists(schema: GraphQLSchema, named: GraphQLNamedType) -> dict[str, int]:
    """The sizes of a type's own introspection lists (a list it cannot have is null)."""
    sizes = dict.fromkeys(TYPE_LISTS, 0)
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        sizes |= {"fields": len(named.fields), "interfaces": len(named.interfaces)}
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        sizes["possibleTypes"] = len(schema.get_possible_types(named))
    if isinstance(named, GraphQLInputObjectType):
        sizes["inputFields"] = len(named.fields)
    if isinstance(named, GraphQLEnumType):
        sizes["enumValues"] = len(named.values)
    return sizes


def _field_definition(
    schema: GraphQLSchema, parent: GraphQLNamedType, name: str
) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    fields = getattr(parent, "fields", None)
    return fields.get(name) if isinstance(fields, dict) else None


def _list_levels(type_: GraphQLOutputType) -> int:
    """How many lists wrap the field's type ([[Int]] is two)."""
    levels = 0
    inner = get_nullable_type(type_)
    while isinstance(inner, GraphQLList):
        levels += 1
        inner = get_nullable_type(inner.of_type)
    return levels
