"""The JavaScript driver, and the engine of the TypeScript one: Babel's parser on Node.js
(native/parse.js, a long-lived child), the shared tables (annotation.py, normalization.py).

Babel counts positions in UTF-16 code units; the SDK turns them into bytes.  Two things the
tables cannot say, done in one pass over the tree before them (the SDK's tables are by node
type): in annotated mode, the roles of each operator; in semantic mode, each comment once, in
File.comments (Babel also hangs every comment on the nodes around it, leading one and trailing
the other: kept there, a comment would stretch the extent of a definition over its
neighbour's doc comment).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driver_runtime.drivers.javascript import annotation
from driver_runtime.drivers.javascript.normalization import TABLES
from driver_runtime.protocol import Mode
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.normalizer import Normalizer, native_objects
from driver_runtime.sdk.units import UTF16
from driver_runtime.uast import ROLE, TYPE

HERE = Path(__file__).resolve().parent
PARSER = HERE / "native" / "parse.js"
ATTACHED_COMMENTS = ("leadingComments", "trailingComments", "innerComments")


def add_operator_roles(tree: Any) -> None:
    """Annotated mode: an operator expression has the roles of its operator (Add, Relational...);
    semantic mode adds them with the uast:Operator (normalization.operator)."""
    for node in native_objects(tree):
        if node.get(TYPE) in annotation.OPERATORS:
            node[ROLE] = list(annotation.operator_roles(node))


def detach_comments(tree: Any) -> None:
    """Semantic mode: comments only in File.comments, each once (as the Python driver lists them)."""
    for node in native_objects(tree):
        for key in ATTACHED_COMMENTS:
            node.pop(key, None)


class _Normalizer(Normalizer):
    def run(self, tree: Any, data: bytes, mode: Mode) -> Any:
        if mode is Mode.ANNOTATED:
            add_operator_roles(tree)
        elif mode is Mode.SEMANTIC:
            detach_comments(tree)
        return super().run(tree, data, mode)


class JavaScriptDriver(NativeDriver):
    """`dialect` is what parse.js reads a file as when its extension does not say."""

    def __init__(self, folder: Path = HERE, dialect: str = "javascript"):
        super().__init__(folder, native=["node", str(PARSER), dialect, "{build}/node_modules"], tables=TABLES,
                         unit=UTF16)
        self.normalizer = _Normalizer(self.manifest.language, TABLES)
