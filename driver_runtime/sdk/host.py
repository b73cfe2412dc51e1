"""A driver whose parser is a native program: the protocol side, in Python, around it.

    driver = NativeDriver(HERE, native=["node", "{build}/parse.js"], unit=UTF16, tables=TABLES)
    serve(driver)

`native` is the command of the native parser: ``{folder}`` is the driver's folder and
``{build}`` where its prepared parts are (sdk/prepared.py: /opt/driver/build in an image,
the data folder on a host where `bblfsh-lsp driver install LANG --runtime process` ran the
driver's prepare.sh).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from driver_runtime.sdk.native import NativeError, NativeParser
from driver_runtime.sdk.native_reuse import ItemReuse, Taken
from driver_runtime.sdk.normalizer import Normalizer, Tables
from driver_runtime.sdk.prepared import build_dir
from driver_runtime.sdk.protocol import Manifest, Mode, ParseError, ParseRequest, ParseResult, Position
from driver_runtime.sdk.serve import load_manifest
from driver_runtime.sdk.uast import LineStarts
from driver_runtime.sdk.units import BYTES, line_col_converter, offset_converter, positions_to_bytes


def lone_surrogate(content: str, message: str) -> ParseError | None:
    """A lone surrogate (JSON allows "\\ud800") is no UTF-8 text, which a native program that
    reads UTF-8 cannot even be sent: an error with `message` at its place; None without one."""
    try:
        content.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = content[: exc.start].encode("utf-8", "surrogatepass")
        line, col = LineStarts(before).line_col(len(before))
        return ParseError(message=message, start=Position(offset=len(before), line=line, col=col))
    return None


class NativeDriver:
    def __init__(self, folder: Path, native: Sequence[str], tables: Tables, unit: str = BYTES,
                 manifest: Manifest | None = None, kept_lists: tuple[tuple[str, str], ...] = ()):
        """`kept_lists`: the kinds of list whose items (statements, members, comments) its
        native program keeps between a document's versions, as (native type, field), in that
        program's order (sdk.native_reuse)."""
        self.manifest = manifest or load_manifest(folder)
        self.folder = folder
        self.build = build_dir(self.manifest.name, self.manifest.version)
        command = [part.replace("{folder}", str(folder)).replace("{build}", str(self.build)) for part in native]
        self.native = NativeParser(command, cwd=folder)
        self.unit = unit
        self.normalizer = Normalizer(self.manifest.language, tables)
        self.reuse = ItemReuse(kept_lists) if kept_lists else None

    def check_prepared(self) -> str | None:
        """Why the native parts are missing, if they are (shown instead of a cryptic failure)."""
        if (self.folder / "prepare.sh").exists() and not self.build.exists():
            return (f"the {self.manifest.language} driver's native parser is not prepared in {self.build}: "
                    f"run `bblfsh-lsp driver install {self.manifest.language} --runtime process`")
        return None

    def parse(self, request: ParseRequest) -> ParseResult:
        return self._parse(request, None)

    def parse_kept(self, request: ParseRequest, kept: Any, edits: Any) -> tuple[ParseResult, Any]:
        """A kept document's parse (sdk.documents): the statements its last parse normalised
        are reused where the native side says they did not change."""
        if self.reuse is None:
            return self.parse(request), None
        result = self._parse(request, self.reuse.fields(kept, request.mode, self._detached(request.mode)))
        if result.uast is None:
            self.reuse.forget()
        return result, self.reuse.token

    def _parse(self, request: ParseRequest, fields: dict[str, Any] | None) -> ParseResult:
        """Every parse, kept or not (`fields`: sdk.native_reuse's, for a kept document): a driver
        that checks the source first or completes the result (Java, Ruby) extends this."""
        language = self.manifest.language
        missing = self.check_prepared()
        if missing:
            return ParseResult(language=language, errors=[ParseError(message=missing)])
        try:
            answer = self.native.parse(request.content, request.filename, **(fields or {}))
        except NativeError as exc:
            return ParseResult(language=language, errors=[ParseError(message=str(exc))])
        data = request.content.encode("utf-8", "surrogatepass")
        errors = [self._error(error, request.content, data) for error in answer.get("errors") or []]
        tree = answer.get("ast")
        if tree is None:
            return ParseResult(language=language, errors=errors or [ParseError(message="the parser gave no tree")])
        to_bytes = offset_converter(request.content, self.unit)
        positions_to_bytes(tree, request.content, self.unit, to_bytes)
        taken: Taken | None = None
        if fields is not None and self.reuse is not None:
            taken = self.reuse.take(tree, answer, fields, request.mode, to_bytes)
            if taken is None and fields["reuse"] is not None:  # it named what is not held: once more, whole
                return self._parse(request, self.reuse.fields(None, request.mode, fields["detached"]))
        if taken is None:
            uast = self.normalizer.run(tree, data, Mode(request.mode))
        else:
            uast = self.normalizer.run(tree, data, Mode(request.mode), taken.done, taken.watched, taken.results)
            self.reuse.keep(taken)
        return ParseResult(language=language, uast=uast, errors=errors)

    def _detached(self, mode: str) -> bool:
        """Whether the normaliser drops the tables' detached fields (semantic mode)."""
        return bool(self.normalizer.tables.detached) and Mode(mode) is Mode.SEMANTIC

    def _error(self, error: dict, text: str, data: bytes) -> ParseError:
        message = str(error.get("message") or "syntax error")
        line, col = error.get("line"), error.get("col")
        if not isinstance(line, int):
            return ParseError(message=message)
        offset = min(line_col_converter(text, self.unit)(line, col if isinstance(col, int) else 1), len(data))
        line_no, col_no = LineStarts(data).line_col(offset)
        return ParseError(message=message, start=Position(offset=offset, line=line_no, col=col_no))

    def release(self) -> None:
        """Nothing to drop between requests: trees are freed with the response."""
