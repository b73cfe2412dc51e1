"""A language's table: what its tree-sitter node types are in Babelfish's UAST, as data.

One file per language, ``languages/<name>.py``, holds ``TABLE = LanguageTable(...)``: which node
types are comments, identifiers, strings, booleans and blocks; which make a QualifiedIdentifier,
a FunctionGroup, an Argument or an Import, and from which fields; whose operator is a
uast:Operator; the roles of node types and of fields; and the outline's symbols (node type ->
kind).  A language without a file gets the generic table (languages/_generic.py: the node type
names most grammars share), and every table starts from it; ``extends`` starts from another
language's table first (TypeScript from JavaScript).  A few languages need a transform no
builder says: ``transforms`` holds them, by node type, in the language's own file, and
``keeps_children`` those of them that leave their children as they were made (memo.py keeps
those children from one parse to the next).

The builders that turn these specs into uast:* nodes are in normalization.py; what the
languages' own transforms share (node tests and finders, the reshapings many make) in rules.py.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping

import attrs

from driver_runtime.sdk.normalizer import Transform


@attrs.frozen
class Function:
    """A node type that is a function: uast:FunctionGroup (Alias -> Function -> FunctionType)
    when it has a name, else a bare uast:Function (a lambda).  Each spec names a field."""

    name: str | None = "name"
    parameters: str | None = "parameters"  # a node holding the arguments, or the arguments themselves
    returns: str | None = None
    body: str | None = "body"
    # Where the FunctionType spans: nowhere (Babelfish's C#, Bash), or from the parameters to the
    # return type (Go's driver gave it the signature's span).
    signature_position: bool = False


@attrs.frozen
class Argument:
    """A node type that is a parameter: uast:Argument.  A name field that holds no identifier
    (a pattern) is kept as it is; without a name field, the node's first identifier child."""

    name: str | None = "name"
    type: str | None = "type"
    init: str | None = None
    variadic: bool = False
    map_variadic: bool = False
    receiver: bool = False
    position: bool = True


@attrs.frozen
class Import:
    """A node type that imports: uast:Import (or another of Babelfish's import types), its Path
    from a field, else its first named child."""

    path: str | None = None
    kind: str = "uast:Import"
    alias: str | None = None  # the field of a local name (`import x as y`): Names


@attrs.frozen
class Operator:
    """A node type whose operator, the symbol in a field (else, with `token`, the node's own
    @token: a grammar that names no field for `=`, `++`), is a uast:Operator in that field."""

    field: str = "operator"
    token: bool = False
    roles: tuple[str, ...] = ()  # the uast:Operator's (Babelfish's JavaScript gave it Operator, Go's none)
    keep: tuple[str, ...] = ()  # symbols that stay strings (Go's `*x`: go/ast's StarExpr, no operator)


@attrs.frozen
class Symbol:
    """An outline symbol whose name is not in the node's `name` field: in another field (moved
    there), or, in a grammar without fields, its first child of a type (``child``: taken out of
    its children into `name`)."""

    kind: str
    name: str = "name"
    child: str | None = None


@attrs.frozen
class LanguageTable:
    extends: str | None = None
    comments: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    # Node type -> the fields whose names, in this order, make a uast:QualifiedIdentifier.
    qualified: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    functions: Mapping[str, Function] = attrs.field(factory=dict)
    arguments: Mapping[str, Argument] = attrs.field(factory=dict)
    imports: Mapping[str, Import] = attrs.field(factory=dict)
    operators: Mapping[str, Operator] = attrs.field(factory=dict)
    roles: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    # ("parent type" or "*", "field") -> roles of the child found there.
    field_roles: Mapping[tuple[str, str], tuple[str, ...]] = attrs.field(factory=dict)
    # Outline: node type -> its kind ("class", "struct", "interface", "enum", "module", "constant",
    # "variable", "field", "function", "method", ...; outline.KIND_NAMES), or a Symbol.
    symbols: Mapping[str, str | Symbol] = attrs.field(factory=dict)
    # Node types that are no concept at all in this language, though the generic table names them.
    not_generic: tuple[str, ...] = ()
    transforms: Mapping[str, Transform] = attrs.field(factory=dict)
    # Node types whose transform changes nodes below its children (C#'s file moves every comment
    # to where Roslyn hangs it): nothing under them is kept from one parse to the next (memo.py).
    deep: tuple[str, ...] = ()
    # Node types whose transform leaves its children as a fresh parse would have them: it does not
    # change them (it builds new nodes of them, reorders or filters its own lists, puts a changed
    # copy in its own place of one), or changes them the same way whatever it is given, so that a
    # child kept from the last parse and given to it again comes out the same.  Their children are
    # kept from one parse to the next (memo.py); the children of the other types with a transform
    # are converted again.  Each declaration says why it is safe, beside the transform.
    keeps_children: tuple[str, ...] = ()

    def over(self, base: LanguageTable) -> LanguageTable:
        """This table on top of `base`: lists joined, mappings merged (this one's entries win)."""
        dropped = set(self.not_generic)

        def keep(types: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(kind for kind in types if kind not in dropped))

        def merged(mine: Mapping, theirs: Mapping) -> dict:
            return {**{key: value for key, value in theirs.items() if key not in dropped}, **mine}

        # A declaration is about a transform: the base's hold but for those this table replaces.
        inherited = tuple(kind for kind in base.keeps_children if kind not in dropped and kind not in self.transforms)

        return LanguageTable(
            extends=None,
            comments=keep(base.comments + self.comments),
            identifiers=keep(base.identifiers + self.identifiers),
            strings=keep(base.strings + self.strings),
            booleans=keep(base.booleans + self.booleans),
            blocks=keep(base.blocks + self.blocks),
            qualified=merged(self.qualified, base.qualified),
            functions=merged(self.functions, base.functions),
            arguments=merged(self.arguments, base.arguments),
            imports=merged(self.imports, base.imports),
            operators=merged(self.operators, base.operators),
            roles=merged(self.roles, base.roles),
            field_roles={**base.field_roles, **self.field_roles},
            symbols=merged(self.symbols, base.symbols),
            not_generic=tuple(dropped),
            transforms=merged(self.transforms, base.transforms),
            deep=keep(base.deep + self.deep),
            keeps_children=tuple(dict.fromkeys(inherited + self.keeps_children)),
        )


GENERIC = "_generic"


def _written(language: str) -> LanguageTable | None:
    """The table in languages/<language>.py, as written (not merged), or None."""
    name = f"driver_runtime.drivers.universal.languages.{language}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:  # no file: not a module the table's own imports could not find
            return None
        raise
    table: LanguageTable = module.TABLE
    return table


@functools.cache
def table_for(language: str) -> LanguageTable:
    """A language's table merged over what it extends and the generic table."""
    generic = _written(GENERIC)
    assert generic is not None
    if language == GENERIC:
        return generic
    own = _written(language)
    if own is None:
        return generic
    base = table_for(own.extends) if own.extends else generic
    return own.over(base)


def has_table(language: str) -> bool:
    """Whether a language has a table of its own (else it gets the generic one)."""
    return _written(language) is not None
