"""The JavaScript driver, and the engine of the TypeScript one: Babel's parser on Node.js
(native/parse.js, a long-lived child), the shared tables (annotation.py, normalization.py).

Babel counts positions in UTF-16 code units; the SDK turns them into bytes.  Two things that
the tables keyed by node type cannot say are tables too, applied in the SDK's one walk
(normalization.TABLES): the roles of each operator (content_roles), and in semantic mode each
comment once, in File.comments (`detached`: Babel also hangs every comment on the nodes around
it, leading one and trailing the other: kept there, a comment would stretch the extent of a
definition over its neighbour's doc comment).

After an edit, parse.js sends again only the top-level statements, class members and comments
whose text changed; the others are reused as this side normalised them (sdk.native_reuse).
"""

from __future__ import annotations

from pathlib import Path

from driver_runtime.drivers.javascript.normalization import TABLES
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.units import UTF16

HERE = Path(__file__).resolve().parent
PARSER = HERE / "native" / "parse.js"


class JavaScriptDriver(NativeDriver):
    """`dialect` is what parse.js reads a file as when its extension does not say."""

    def __init__(self, folder: Path = HERE, dialect: str = "javascript"):
        super().__init__(folder, native=["node", str(PARSER), dialect, "{build}/node_modules"], tables=TABLES,
                         unit=UTF16, kept_lists=(("Program", "body"), ("ClassBody", "body"), ("File", "comments")))
