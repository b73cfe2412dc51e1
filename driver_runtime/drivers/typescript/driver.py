"""The TypeScript driver: the JavaScript driver's engine (Babel's parser with its TypeScript
plugin, and the same tables), with this folder's manifest.  Files are read as TypeScript, and as
TSX when their extension is .tsx."""

from __future__ import annotations

from pathlib import Path

from driver_runtime.drivers.javascript.driver import JavaScriptDriver

HERE = Path(__file__).resolve().parent


class TypeScriptDriver(JavaScriptDriver):
    def __init__(self) -> None:
        super().__init__(HERE, dialect="typescript")
