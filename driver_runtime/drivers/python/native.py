"""CPython's ast as a native UAST: one object per ast node, "python:<Class>", byte positions.

The conversion is one bottom-up pass.  For the annotated and semantic modes the same pass
also looks the node up in the role table (annotation.py) and the transformation table
(normalization.py), so a tree is never walked twice.

Speed matters (the whole pipeline is compared to a bare ``ast.parse``), so each ast class is
described once by a *plan*: its UAST type, its token, whether it has a position, and how to
convert each field.  Field kinds are read from the class's ASDL signature (``ast.BinOp.__doc__``
is ``"BinOp(expr left, operator op, expr right)"``), which is exact and needs no upkeep when a
Python release adds a node.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

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
        self._plans: dict[type, tuple] = {}
        self.convert: Callable[[ast.AST], Any] = self._make_convert()

    # --- positions ---------------------------------------------------------------------------

    def span(self, node: ast.AST) -> dict[str, int]:
        starts, shift = self._starts, self._shift
        return {
            "start": starts[node.lineno - 1] + node.col_offset + shift,  # type: ignore[attr-defined]
            "end": starts[node.end_lineno - 1] + node.end_col_offset + shift,  # type: ignore[attr-defined]
        }

    # --- conversion --------------------------------------------------------------------------

    def _plan(self, cls: type) -> tuple:
        """How to convert nodes of an ast class (built once per class and converter)."""
        name = cls.__name__
        kinds = _field_kinds(cls)
        token_field = TOKEN_FIELD.get(name)
        positioned = "end_lineno" in getattr(cls, "_attributes", ())
        fixup = self.fixups.get(name)
        transform = self.transforms.get(name)
        # A transform may also say how to build its node straight from the ast node and its
        # span ("from_ast"): then the native node is never built (used for Name, the most
        # common node).  Not when a fixup must see the native node first.
        direct = getattr(transform, "from_ast", None) if fixup is None and positioned else None
        plan = (
            self.prefix + name,
            name,
            token_field,
            None if token_field is None else dict(kinds).get(token_field, PLAIN),
            FIXED_TOKEN.get(name),
            positioned,
            tuple((field, kind) for field, kind in kinds if field != token_field),
            fixup,
            transform,
            self.roles.get(name),
            direct,
        )
        self._plans[cls] = plan
        return plan

    def _make_convert(self) -> Callable[[ast.AST], Any]:
        """The converting function (a closure: locals are the fastest lookups Python has)."""
        plans = self._plans
        starts, shift = self._starts, self._shift
        annotate = self.annotate
        plan_for = self._plan

        def convert(node: ast.AST) -> Any:
            cls = node.__class__
            plan = plans.get(cls)
            if plan is None:
                plan = plan_for(cls)
            (type_name, name, token_field, token_kind, fixed_token, positioned, fields, fixup, transform, roles,
             direct) = plan
            if direct is not None:
                return direct(node, {
                    "start": starts[node.lineno - 1] + node.col_offset + shift,  # type: ignore[attr-defined]
                    "end": starts[node.end_lineno - 1] + node.end_col_offset + shift,  # type: ignore[attr-defined]
                })
            out: Node = {"@type": type_name}
            if token_field is not None:
                value = getattr(node, token_field)
                out["@token"] = token_value(value) if token_kind == CONSTANT else value
            elif fixed_token is not None:
                out["@token"] = fixed_token
            if positioned:
                out["@pos"] = {
                    "start": starts[node.lineno - 1] + node.col_offset + shift,  # type: ignore[attr-defined]
                    "end": starts[node.end_lineno - 1] + node.end_col_offset + shift,  # type: ignore[attr-defined]
                }
            for field, kind in fields:
                value = getattr(node, field)
                if kind == NODE:
                    out[field] = convert(value)
                elif kind == CONTEXT:
                    out[field] = value.__class__.__name__
                elif kind == NODES:
                    out[field] = [convert(item) for item in value]
                elif kind == OPTIONAL:
                    out[field] = None if value is None else convert(value)
                elif kind == PLAIN:
                    out[field] = value
                elif kind == CONSTANT:
                    out[field] = token_value(value)
                elif kind == NODES_OR_NONE:
                    out[field] = [None if item is None else convert(item) for item in value]
                elif isinstance(value, ast.AST):  # UNKNOWN
                    out[field] = convert(value)
                elif isinstance(value, list):
                    out[field] = [convert(item) if isinstance(item, ast.AST) else token_value(item) for item in value]
                else:
                    out[field] = token_value(value)
            if fixup is not None:
                name, out = fixup(out, node, self)
                if name != plan[1]:
                    transform = self.transforms.get(name)
                    roles = self.roles.get(name)
            if roles is not None:
                out["@role"] = list(roles)
            elif annotate is not None:
                annotate(name, out, node)
            if transform is not None:
                return transform(out, node, self)
            return out

        return convert


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
