"""CPython's ast as a native UAST: one object per ast node, "python:<Class>", byte positions.

The conversion is one bottom-up pass.  For the annotated and semantic modes the same pass
also looks the node up in the role table (annotation.py) and the transformation table
(normalization.py), so a tree is never walked twice.
"""

from __future__ import annotations

import ast
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

# Expression contexts carry no information beyond their name.
CONTEXTS = {"Load", "Store", "Del"}


def token_value(value: Any) -> Any:
    """A constant as JSON can carry it."""
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63 - 1:
            return str(value)
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is Ellipsis:
        return "..."
    return repr(value)  # complex


Annotate = Callable[[str, Node, ast.AST], None]
Transform = Callable[[Node, ast.AST, "Converter"], Any]


class Converter:
    """Turns an ast tree into wire-form UAST, optionally annotating and normalising each node."""

    def __init__(
        self,
        source: Source,
        annotate: Annotate | None = None,
        transforms: Mapping[str, Transform] | None = None,
        prefix: str = "python:",
    ):
        self.source = source
        self.annotate = annotate
        self.transforms = transforms or {}
        self.prefix = prefix
        self._starts = source.lines.starts
        self._shift = source.shift

    def span(self, node: ast.AST) -> dict[str, int]:
        starts, shift = self._starts, self._shift
        return {
            "start": starts[node.lineno - 1] + node.col_offset + shift,  # type: ignore[attr-defined]
            "end": starts[node.end_lineno - 1] + node.end_col_offset + shift,  # type: ignore[attr-defined]
        }

    def convert(self, node: ast.AST) -> Any:
        cls = type(node)
        name = cls.__name__
        if name in CONTEXTS:
            return name
        out: Node = {"@type": self.prefix + name}
        token_field = TOKEN_FIELD.get(name)
        if token_field is not None:
            out["@token"] = token_value(getattr(node, token_field))
        elif name in FIXED_TOKEN:
            out["@token"] = FIXED_TOKEN[name]
        if getattr(node, "end_lineno", None) is not None:
            out["@pos"] = self.span(node)
        AST = ast.AST
        convert = self.convert
        for field in cls._fields:
            if field == token_field:
                continue
            value = getattr(node, field, None)
            if isinstance(value, AST):
                value = convert(value)
            elif isinstance(value, list):
                value = [convert(item) if isinstance(item, AST) else token_value(item) for item in value]
            else:
                value = token_value(value)
            out[field] = value
        if self.annotate is not None:
            self.annotate(name, out, node)
        transform = self.transforms.get(name)
        if transform is not None:
            return transform(out, node, self)
        return out
