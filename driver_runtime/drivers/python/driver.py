"""The Python driver: CPython's own ast, comments from the source, three UAST modes."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path

import attrs

from driver_runtime.drivers.python import annotation, normalization
from driver_runtime.drivers.python.native import Converter, Node
from driver_runtime.drivers.python.source import Source
from driver_runtime.protocol import Mode, ParseError, ParseRequest, ParseResult, Position
from driver_runtime.sdk import load_manifest

HERE = Path(__file__).resolve().parent

PYTHON2_HINTS = ("Missing parentheses in call to 'print'", "Missing parentheses in call to 'exec'")


def _position(source: Source, line: int | None, char_col: int | None) -> Position | None:
    if not line or line > len(source.lines.starts):
        return None
    offset = source.char_col_to_offset(line, char_col or 1)
    line_no, col = source.lines.line_col(offset - source.shift)
    return Position(offset=offset, line=line_no, col=col)


def syntax_error(source: Source, exc: SyntaxError) -> ParseError:
    message = exc.msg or "invalid syntax"
    if any(message.startswith(hint) for hint in PYTHON2_HINTS):
        message = f"Python 2 syntax is not supported (this driver parses Python 3): {message}"
    start = _position(source, exc.lineno, exc.offset)
    end = _position(source, getattr(exc, "end_lineno", None), getattr(exc, "end_offset", None))
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


class PythonDriver:
    def __init__(self) -> None:
        manifest = load_manifest(HERE)
        self.manifest = attrs.evolve(manifest, parser=f"CPython {sys.version.split()[0]} ast")
        self.language = manifest.language

    def parse(self, request: ParseRequest) -> ParseResult:
        source = Source(request.content)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not an error
                tree = ast.parse(source.text, filename=request.filename or "<unknown>")
        except SyntaxError as exc:
            return ParseResult(language=self.language, errors=[syntax_error(source, exc)])
        except ValueError as exc:  # e.g. NUL bytes in the source
            return ParseResult(language=self.language, errors=[ParseError(message=f"cannot parse: {exc}")])
        except (RecursionError, MemoryError):
            return ParseResult(language=self.language,
                               errors=[ParseError(message="the code is nested too deeply to parse")])
        mode = Mode(request.mode)
        converter = Converter(
            source,
            annotate=annotation.annotate if mode is not Mode.NATIVE else None,
            transforms=normalization.TRANSFORMS if mode is Mode.SEMANTIC else None,
        )
        uast = converter.convert(tree)
        attach_comments(uast, source, mode)
        return ParseResult(language=self.language, uast=uast)
