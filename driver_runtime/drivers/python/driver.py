"""The Python driver: CPython's own ast, comments from the source, three UAST modes."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path
from typing import Any

import attrs

from driver_runtime.drivers.python import annotation, native, normalization
from driver_runtime.drivers.python.native import Converter, Node
from driver_runtime.drivers.python.reuse import Converted, Statements, keys, reparse
from driver_runtime.drivers.python.source import Source
from driver_runtime.sdk.protocol import Mode, ParseError, ParseRequest, ParseResult, Position, TextEdit
from driver_runtime.sdk.serve import load_manifest

HERE = Path(__file__).resolve().parent

TOO_DEEP = "the code is nested too deeply to parse"
CONVERSION_FRAMES = 2000
# A kept document's converted statements are reused up to this size (reuse.py): a larger one's
# tree is not held between requests.
REUSE_MAX_BYTES = 1 << 20


def _position(source: Source, line: int | None, char_col: int | None) -> Position | None:
    if not line or line > len(source.lines.starts):
        return None
    offset = source.char_col_to_offset(line, char_col or 1)
    line_no, col = source.line_col(offset)
    return Position(offset=offset, line=line_no, col=col)


def _stack_depth() -> int:
    frame, depth = sys._getframe(1), 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _nul_position(source: Source) -> Position | None:
    index = source.data.find(b"\0")
    if index < 0:
        return None
    line, col = source.line_col(index + source.shift)
    return Position(offset=index + source.shift, line=line, col=col)


def syntax_error(source: Source, exc: SyntaxError, python2_tried: bool = False) -> ParseError:
    message = exc.msg or "invalid syntax"
    if python2_tried:
        message = f"{message} (the file was read as Python 2, whose syntax is only partly supported)"
    start = _position(source, exc.lineno, exc.offset)
    end = _position(source, getattr(exc, "end_lineno", None), getattr(exc, "end_offset", None))
    if end is not None and (start is None or end.offset < start.offset):
        end = None  # e.g. "'(' was never closed" has end_offset 0
    if start is None and "\0" in source.text:  # "source code cannot contain null bytes" has no position
        start = _nul_position(source)
    return ParseError(message=message, start=start, end=end)


def attach_comments(module: Node, source: Source, mode: Mode) -> None:
    comments = source.comments()
    if mode is Mode.SEMANTIC:
        module["comments"] = [normalization.comment_node(offset, text) for offset, text in comments]
        return
    nodes = []
    for offset, text in comments:
        node: Node = {"@type": "python:Comment", "@token": text,
                      "@pos": {"start": offset, "end": offset + len(text.encode("utf-8", "surrogatepass"))}}
        if mode is Mode.ANNOTATED:
            node["@role"] = ["Comment", "Noop"]
        nodes.append(node)
    module["comments"] = nodes


def _parse(text: str, filename: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not an error
        return ast.parse(text, filename=filename)


def _parse_source(source: Source, filename: str) -> tuple[ast.Module, dict[str, Any]] | ParseError:
    """The ast of the source and the native fixups it needs, or the error."""
    try:
        try:
            return _parse(source.text, filename), native.FIXUPS
        except SyntaxError as exc:
            # The Python 2 fallback (python2.py), only for files whose error says "Python 2";
            # imported here, as only they need it (the driver's start waits for its imports).
            from driver_runtime.drivers.python import python2

            rewritten = python2.rewrite(source.text) if python2.is_python2_error(exc.msg or "") else None
            if rewritten is None:
                return syntax_error(source, exc)
            try:
                tree = _parse(rewritten.text, filename)
            except SyntaxError as second:
                return syntax_error(source, second, python2_tried=True)
            return tree, {**native.FIXUPS, **python2.fixups(rewritten, source)}
    except ValueError as exc:  # NUL bytes, on Pythons that do not make it a SyntaxError
        return ParseError(message=f"cannot parse: {exc}", start=_nul_position(source))
    except (RecursionError, MemoryError):
        return ParseError(message=TOO_DEEP)


class PythonDriver:
    def __init__(self) -> None:
        manifest = load_manifest(HERE)
        self.manifest = attrs.evolve(manifest, parser=f"CPython {sys.version.split()[0]} ast")
        self.language = manifest.language
        self._spent: ast.AST | None = None  # the last ast, dropped after the answer is sent
        # The converted statements of the kept document parsed last (reuse.py), and the token
        # that document's state holds for them.
        self._statements: Statements | None = None
        self._token: object | None = None

    def release(self) -> None:
        self._spent = None

    def parse(self, request: ParseRequest) -> ParseResult:
        return self._parse(request, None)

    def parse_kept(self, request: ParseRequest, kept: Any, edits: Any) -> tuple[ParseResult, Any]:
        """A kept document's parse (sdk.documents): its unchanged statements' conversions reused
        when it was the document parsed last."""
        reuse = self._statements if kept is not None and kept is self._token else None
        result = self._parse(request, reuse, keep=True, edits=edits)
        return result, self._token

    def _parse(self, request: ParseRequest, reuse: Statements | None, keep: bool = False,
               edits: list[TextEdit] | None = None) -> ParseResult:
        source = Source(request.content)
        mode = Mode(request.mode)
        filename = request.filename or "<unknown>"
        reusable = keep and reuse is not None and reuse.mode == mode.value and reuse.shift == source.shift
        again = None
        if reusable and edits is not None and len(edits) == 1 and source.shift == 0 \
                and len(source.data) <= REUSE_MAX_BYTES:
            assert reuse is not None
            again = reparse(reuse, source.data, source.lines.starts, edits[0], lambda text: _parse(text, filename))
        if again is not None:  # only what the edit touched was parsed
            body, found = again
            tree, fixups = ast.Module(body=body, type_ignores=[]), native.FIXUPS
        else:
            parsed = _parse_source(source, filename)
            if isinstance(parsed, ParseError):
                return ParseResult(language=self.language, errors=[parsed])
            tree, fixups = parsed
            # Not for a Python 2 file: its fixups depend on the whole text's rewriting.
            keep = keep and fixups is native.FIXUPS and len(source.data) <= REUSE_MAX_BYTES
            found = keys(tree.body, source.data, source.lines.starts) if keep else []
            if reusable and keep:
                assert reuse is not None
                for number, (key, start) in enumerate(found):
                    converted = reuse.take(key, start + source.shift)
                    if converted is not None:
                        tree.body[number] = Converted(converted)
        self._spent = tree
        converter = Converter(
            source,
            annotate=annotation.annotate if mode is not Mode.NATIVE else None,
            roles=annotation.ROLES,
            transforms=normalization.TRANSFORMS if mode is Mode.SEMANTIC else None,
            fixups=fixups,
        )
        # The conversion recurses once or twice per level of the tree: it gets a fixed budget of
        # frames, whatever the caller's recursion limit, so that a too deep tree is an error
        # here (and not a stack overflow, nor a tree too deep to send).  Drivers run alone in
        # their process, one request at a time, so changing the limit for a moment is safe.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(_stack_depth() + CONVERSION_FRAMES)
        try:
            uast = converter.convert(tree)
        except RecursionError:
            return ParseResult(language=self.language, errors=[ParseError(message=TOO_DEEP)])
        finally:
            sys.setrecursionlimit(limit)
        attach_comments(uast, source, mode)
        self._keep_statements(uast, found, mode, source.shift, len(source.data))  # none when found is empty
        return ParseResult(language=self.language, uast=uast)

    def _keep_statements(self, uast: Any, found: list[tuple[Any, int]], mode: Mode, shift: int, size: int) -> None:
        """The converted statements of this parse, for the next (reuse.py); none if `found` is empty."""
        body = uast.get("body") if isinstance(uast, dict) else None
        if not found or not isinstance(body, list) or len(body) != len(found):
            self._statements = self._token = None
            return
        last = self._statements.places if self._statements is not None else {}
        statements = Statements(mode.value, shift, size)
        for (key, start), converted in zip(found, body):
            statements.by_key.setdefault(key, []).append((start + shift, converted))
            statements.order.append((key, start, start + len(key[1])))
            if id(converted) in last:  # taken again: its positions are listed
                statements.places[id(converted)] = last[id(converted)]
        self._statements, self._token = statements, object()
