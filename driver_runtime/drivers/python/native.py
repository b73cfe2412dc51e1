"""CPython's ast as a native UAST: one object per ast node, "python:<Class>", byte positions.

The conversion is one bottom-up pass.  For the annotated and semantic modes the same pass
also looks the node up in the role table (annotation.py) and the transformation table
(normalization.py), so a tree is never walked twice.

Speed matters (the whole pipeline is compared to a bare ``ast.parse``, and a 4 MB file has
millions of nodes), so each ast class is described once by a *plan*: its UAST type, its token,
whether it has a position, and how to convert each field; and the plan is written out as the
class's own converting function (_factory), so that no node pays for reading it.  Field kinds
are read from the class's ASDL signature (``ast.BinOp.__doc__`` is
``"BinOp(expr left, operator op, expr right)"``), which is exact and needs no upkeep when a
Python release adds a node.
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from driver_runtime.drivers.python.reuse import Converted
from driver_runtime.drivers.python.source import Source

Node = dict[str, Any]

# The field whose value is the node's token.
TOKEN_FIELD = {
    "Name": "id",
    "Attribute": "attr",
    "ClassDef": "name",
    "FunctionDef": "name",
    "AsyncFunctionDef": "name",
    "arg": "arg",
    "keyword": "arg",
    "alias": "name",
    "Constant": "value",
    "ImportFrom": "module",
    "ExceptHandler": "name",
    "MatchAs": "name",
    "MatchStar": "name",
}

# Nodes whose token is fixed text: keywords and operators.
FIXED_TOKEN = {
    "Pass": "pass", "Break": "break", "Continue": "continue",
    "Add": "+", "Sub": "-", "Mult": "*", "MatMult": "@", "Div": "/", "Mod": "%", "Pow": "**",
    "LShift": "<<", "RShift": ">>", "BitOr": "|", "BitXor": "^", "BitAnd": "&", "FloorDiv": "//",
    "And": "and", "Or": "or", "Invert": "~", "Not": "not", "UAdd": "+", "USub": "-",
    "Eq": "==", "NotEq": "!=", "Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">=",
    "Is": "is", "IsNot": "is not", "In": "in", "NotIn": "not in",
}

_INT_LIMIT = 2**63 - 1


def token_value(value: Any) -> Any:
    """A constant as JSON can carry it."""
    cls = value.__class__
    if cls is str or cls is bool or value is None:
        return value
    if cls is int:
        return value if -_INT_LIMIT <= value <= _INT_LIMIT else str(value)
    if cls is float:
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if cls is bytes:
        return value.decode("latin-1")
    if value is Ellipsis:
        return "..."
    return repr(value)  # complex


# How a field is converted (see _field_kinds).
NODE, OPTIONAL, NODES, NODES_OR_NONE, CONTEXT, PLAIN, CONSTANT, UNKNOWN = range(8)

_SIGNATURE_FIELD = re.compile(r"(\w+)([?*]?) (\w+)")
_PLAIN_TYPES = {"identifier", "string", "int"}
# expr* fields that hold None for a missing element ({**d}, keyword-only args without default).
_LISTS_WITH_NONE = {("Dict", "keys"), ("arguments", "kw_defaults")}
_KINDS_CACHE: dict[type, tuple[tuple[str, int], ...]] = {}


def _field_kinds(cls: type) -> tuple[tuple[str, int], ...]:
    kinds = _KINDS_CACHE.get(cls)
    if kinds is not None:
        return kinds
    signature = (cls.__doc__ or "").partition("(")[2]
    types = {name: (asdl_type, quantifier) for asdl_type, quantifier, name in _SIGNATURE_FIELD.findall(signature)}
    out = []
    for field in cls._fields:  # type: ignore[attr-defined]
        asdl_type, quantifier = types.get(field, ("", ""))
        if not asdl_type:
            kind = UNKNOWN  # not in the signature: looked at when converting
        elif asdl_type == "expr_context":
            kind = CONTEXT
        elif asdl_type in _PLAIN_TYPES:
            kind = PLAIN  # a str, an int, or a list of str: JSON as they are
        elif asdl_type == "constant":
            kind = CONSTANT
        elif quantifier == "*":
            kind = NODES_OR_NONE if (cls.__name__, field) in _LISTS_WITH_NONE else NODES
        elif quantifier == "?":
            kind = OPTIONAL
        else:
            kind = NODE
        out.append((field, kind))
    kinds = _KINDS_CACHE[cls] = tuple(out)
    return kinds


Annotate = Callable[[str, Node, ast.AST], None]
Transform = Callable[[Node, ast.AST, "Converter"], Any]
# A native fixup rewrites the native node itself (all modes), e.g. for the Python 2 fallback;
# it returns the native type name the node now has, and the node.
Fixup = Callable[[Node, ast.AST, "Converter"], tuple[str, Node]]


class Converter:
    """Turns an ast tree into wire-form UAST, optionally annotating and normalising each node."""

    def __init__(
        self,
        source: Source,
        annotate: Annotate | None = None,
        transforms: Mapping[str, Transform] | None = None,
        prefix: str = "python:",
        fixups: Mapping[str, Fixup] | None = None,
        roles: Mapping[str, tuple[str, ...]] | None = None,
    ):
        """annotate(name, node, ast_node) sets a node's roles; where roles (by native type)
        has the type, its roles are attached directly and annotate is not called."""
        self.source = source
        self.annotate = annotate
        self.roles = roles if annotate is not None and roles is not None else {}
        self.transforms = transforms or {}
        self.fixups = fixups or {}
        self.prefix = prefix
        self._starts = source.lines.starts
        self._shift = source.shift
        # The offset where each line starts, by 1-based line number (index 0 unused), the BOM's
        # shift included: a span is then two additions (the converting functions' positions).
        self._line_offsets = [0, *(start + source.shift for start in self._starts)]
        # ast class -> the function converting its nodes, made on first sight.
        self._converters: dict[type, Callable[[ast.AST], Any]] = _Converters(self)
        self._converters[Converted] = _already_converted
        converters = self._converters

        def convert(node: ast.AST) -> Any:
            return converters[node.__class__](node)

        self.convert: Callable[[ast.AST], Any] = convert

    # --- positions ---------------------------------------------------------------------------

    def span(self, node: ast.AST) -> dict[str, int]:
        starts, shift = self._starts, self._shift
        return {
            "start": starts[node.lineno - 1] + node.col_offset + shift,  # type: ignore[attr-defined]
            "end": starts[node.end_lineno - 1] + node.end_col_offset + shift,  # type: ignore[attr-defined]
        }


def _already_converted(node: Converted) -> Any:
    return node.converted


class _Converters(dict):  # type: ignore[type-arg]
    """ast class -> the function converting its nodes for a converter's tables, made on first
    sight (a small file has a few dozen classes: making the functions of all of them would take
    longer than converting it).  Made in __missing__ itself, not in a method it calls: a class
    first seen deep in a tree takes no more frames from the conversion's budget than it did."""

    def __init__(self, converter: Converter):
        super().__init__()
        self.converter = converter

    def __missing__(self, cls: type) -> Callable[[ast.AST], Any]:
        conv = self.converter
        name = cls.__name__
        positioned = "end_lineno" in getattr(cls, "_attributes", ())
        fixup = conv.fixups.get(name)
        transform = conv.transforms.get(name)
        roles = conv.roles.get(name)
        annotate = conv.annotate
        # A transform may also say how to build its node straight from the ast node and its
        # span ("from_ast"): then the native node is never built (used for Name, the most
        # common node).  Not when a fixup must see the native node first.
        direct = getattr(transform, "from_ast", None) if fixup is None and positioned else None
        # Roles that annotate takes from the class of a field's value (a Constant's): the
        # annotating function may publish that rule (roles_by_value, and what it gives when the
        # class is not there, unannotated), for them to be attached without a call per node.
        value_field, value_roles = "", None
        if roles is None and annotate is not None and fixup is None:
            value_field, value_roles = getattr(annotate, "roles_by_value", {}).get(name, ("", None))
        # A transform may say that it changes only the nodes whose field holds a value of some
        # classes ("when_value": (field, classes)): the others are left native without a call.
        when_field, when_classes = getattr(transform, "when_value", ("", None)) if fixup is None else ("", None)
        shape = (cls, conv.prefix, fixup is not None, transform is not None, roles is not None,
                 annotate is not None, direct is not None, value_field, when_field)
        factory = _FACTORIES.get(shape)
        if factory is None:
            factory = _FACTORIES[shape] = _factory(cls, conv.prefix, *shape[2:])
        function = self[cls] = factory(self, conv._line_offsets, conv, annotate, conv.roles, conv.transforms, fixup,
                                       transform, roles, direct, value_roles, getattr(annotate, "unannotated", ()),
                                       when_classes)
        return function


# --- the converting functions --------------------------------------------------------------------
# Each ast class is converted by a function of its own, written from its plan: its token, its
# span and its fields' conversions as one dict display, then its roles and its transform; no
# loop over the fields and no test of their kind, per node (a 4 MB file has millions of nodes).
# The function's text depends on the class and on which tables have it: it is compiled once per
# process, as a factory (_FACTORIES), which binds it to a converter's line starts and tables as
# closure variables (the fastest after locals).  Children are converted by a lookup of their
# class, in the function itself: one frame per level of the tree, and one per list, as a
# recursive converter would take.

_FACTORIES: dict[tuple, Callable[..., Callable[[ast.AST], Any]]] = {}
_FACTORY_GLOBALS: dict[str, Any] = {"AST": ast.AST, "token_value": token_value}


def _attribute(field: str) -> str:
    """The ast node's field, as Python source."""
    return f"node.{field}" if field.isidentifier() and not keyword.iskeyword(field) else f"getattr(node, {field!r})"


def _child(expression: str) -> str:
    """The conversion of the node an expression gives (evaluated once, as v)."""
    return f"converters[(v := {expression}).__class__](v)"


def _field_expression(kind: int, field: str) -> str:
    """How a field is converted (the kinds of _field_kinds), as Python source."""
    value = _attribute(field)
    if kind == NODE:
        return _child(value)
    if kind == CONTEXT:
        return f"{value}.__class__.__name__"
    if kind == NODES:
        return f"[converters[item.__class__](item) for item in {value}]"
    if kind == OPTIONAL:
        return f"(None if (v := {value}) is None else converters[v.__class__](v))"
    if kind == PLAIN:
        return value
    if kind == CONSTANT:
        return _TOKEN_VALUE.format(value=value)
    if kind == NODES_OR_NONE:
        return f"[None if item is None else converters[item.__class__](item) for item in {value}]"
    # UNKNOWN: a field the signature does not list, converted by what it holds
    return (f"(converters[v.__class__](v) if isinstance(v := {value}, AST)"
            f" else [converters[item.__class__](item) if isinstance(item, AST) else token_value(item) for item in v]"
            f" if isinstance(v, list) else token_value(v))")


_POS = ('{"start": line_offsets[node.lineno] + node.col_offset, '
        '"end": line_offsets[node.end_lineno] + node.end_col_offset}')
# A constant's token: token_value(value), with the two common cases (a str, an int JSON can
# carry) said in place; "v" is the value.
_TOKEN_VALUE = (f"(v if (k := (v := {{value}}).__class__) is str or (k is int and {-_INT_LIMIT} <= v <= {_INT_LIMIT})"
                " else token_value(v))")


def _factory(cls: type, prefix: str, has_fixup: bool, has_transform: bool, has_roles: bool, has_annotate: bool,
             has_direct: bool, value_field: str, when_field: str) -> Callable[..., Callable[[ast.AST], Any]]:
    """Compile the factory of the converting function of an ast class, for a shape of tables."""
    name = cls.__name__
    kinds = _field_kinds(cls)
    token_field = TOKEN_FIELD.get(name)
    positioned = "end_lineno" in getattr(cls, "_attributes", ())
    lines = ["def make(converters, line_offsets, conv, annotate, roles_by_type, transforms, fixup, transform, roles,",
             "         direct, value_roles, unannotated, when_classes):",
             f"    def convert_{name}(node):"]
    # The fields whose value's class decides roles or a transform (a Constant's value, also its
    # token) are read once, first.
    read_first = {field: f"first_{index}" for index, field in enumerate(dict.fromkeys((value_field, when_field)))
                  if field}
    for field, local in read_first.items():
        lines.append(f"        {local} = {_attribute(field)}")
    if has_direct:
        lines.append(f"        return direct(node, {_POS})")
    else:
        items = [f'"@type": {prefix + name!r}']
        if token_field is not None:
            token = read_first.get(token_field) or _attribute(token_field)
            items.append(f'"@token": {_TOKEN_VALUE.format(value=token)}' if dict(kinds).get(token_field, PLAIN) == CONSTANT
                         else f'"@token": {token}')
        elif name in FIXED_TOKEN:
            items.append(f'"@token": {FIXED_TOKEN[name]!r}')
        if positioned:
            items.append(f'"@pos": {_POS}')
        fields = [(field, kind) for field, kind in kinds if field != token_field]
        if issubclass(cls, ast.mod):
            # The root of a tree (a Module): its lists are converted by loops, not comprehensions,
            # for the frame of the entry point (Converter.convert): a conversion takes as many
            # frames as one by a recursive function did, and a tree too deep is as deep as it was.
            for index, (field, kind) in enumerate(fields):
                if kind in (NODES, NODES_OR_NONE):
                    item = ("converters[item.__class__](item)" if kind == NODES
                            else "None if item is None else converters[item.__class__](item)")
                    lines += [f"        field_{index} = []",
                              f"        for item in {_attribute(field)}:",
                              f"            field_{index}.append({item})"]
                else:
                    lines.append(f"        field_{index} = {_field_expression(kind, field)}")
            items.extend(f"{field!r}: field_{index}" for index, (field, _kind) in enumerate(fields))
        else:
            items.extend(f"{field!r}: {_field_expression(kind, field)}" for field, kind in fields)
        if has_fixup:
            lines.append("        out = {" + ", ".join(items) + "}")
            # The fixup may make the node another type: its roles and transform are then that type's.
            lines += ["        name, out = fixup(out, node, conv)",
                      f"        if name == {name!r}:",
                      "            node_roles, node_transform = roles, transform",
                      "        else:",
                      "            node_roles, node_transform = roles_by_type.get(name), transforms.get(name)",
                      "        if node_roles is not None:",
                      "            out['@role'] = [*node_roles]",
                      "        elif annotate is not None:",
                      "            annotate(name, out, node)",
                      "        if node_transform is not None:",
                      "            return node_transform(out, node, conv)"]
            lines.append("        return out")
        else:
            # The roles are the display's last item: the key comes after the fields, as when set.
            if has_roles:
                items.append('"@role": [*roles]')
            elif value_field:
                items.append(f'"@role": [*value_roles.get({read_first[value_field]}.__class__, unannotated)]')
            lines.append("        out = {" + ", ".join(items) + "}")
            if has_annotate and not has_roles and not value_field:
                lines.append(f"        annotate({name!r}, out, node)")
            if has_transform and when_field:
                lines += [f"        if {read_first[when_field]}.__class__ in when_classes:",
                          "            return transform(out, node, conv)"]
            elif has_transform:
                lines.append("        return transform(out, node, conv)")
            lines.append("        return out")
    lines.append(f"    return convert_{name}")
    namespace: dict[str, Any] = {}
    # The text is made here from the ast module's classes and the driver's own tables, never
    # from the source being parsed.
    exec(compile("\n".join(lines), f"<python driver: {name}>", "exec"), _FACTORY_GLOBALS, namespace)  # noqa: S102
    return namespace["make"]


def _joined_str(out: Node, _node: ast.AST, _conv: Converter) -> tuple[str, Node]:
    """CPython before 3.12 gives each part of an f-string (its text pieces, its {...} and their
    format specs) the span of the whole f-string, which is not theirs: they get none.  The
    expressions inside the braces have true spans and keep them."""
    for part in out["values"]:
        part.pop("@pos", None)
        spec = part.get("format_spec")
        if spec.__class__ is dict:
            spec.pop("@pos", None)
    return "JoinedStr", out


# Fixes to the native tree itself, in every mode.
FIXUPS: dict[str, Fixup] = {"JoinedStr": _joined_str} if sys.version_info < (3, 12) else {}
