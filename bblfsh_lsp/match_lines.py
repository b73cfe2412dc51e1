"""Matches shown as code, as grep -n and ripgrep --column show them: each line that a match
starts on, once, as `path:line:col:code` (col: the first match's on that line), its matches
highlighted on a terminal, `-A/-B/-C` context lines as `path-line-code`, groups of lines apart
separated by `--`.

Plain functions over a file's bytes, its line starts and the matches' byte spans; nothing here
reads files or knows the query.  A match that goes on past its first line is highlighted to that
line's end, and on the context lines after it that it covers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

import attrs

from driver_runtime.sdk.uast import LineStarts

# grep's colours (GREP_COLORS' defaults): the match bold red, the file name magenta, line
# numbers green, separators cyan.
MATCH, PATH, NUMBER, SEPARATOR, RESET = "\x1b[01;31m", "\x1b[35m", "\x1b[32m", "\x1b[36m", "\x1b[0m"
COLOR_CHOICES = ("auto", "always", "never")

# What a terminal would act on rather than show: C0 controls but the tab, DEL, and C1 controls
# (a file's ESC [ ... could move the cursor or retitle the window).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x80-\x9f]")


def use_color(choice: str, stream: TextIO, environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether to colour: `always`, `never`, or (auto) when the stream is a terminal, NO_COLOR
    is unset or empty (no-color.org) and the terminal is not a dumb one."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a file
        return False


def shown(text: str) -> str:
    """Text safe to print on a terminal: control characters in caret notation (ESC as ^[)."""
    return _CONTROL.sub(lambda found: _caret(found.group(0)), text)


def _caret(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return f"\\x{code:02x}"


@attrs.frozen
class Style:
    color: bool = False
    safe: bool = False  # control characters in caret notation (output to a terminal)

    def paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text


def line_text(data: bytes, lines: LineStarts, line: int) -> tuple[int, int]:
    """The byte span of a 1-based line, its line break left out."""
    start = lines.starts[line - 1]
    end = lines.starts[line] if line < len(lines.starts) else len(data)
    while end > start and data[end - 1:end] in (b"\n", b"\r"):
        end -= 1
    return start, end


def highlighted(data: bytes, start: int, end: int, spans: Iterable[tuple[int, int]], style: Style) -> str:
    """The bytes [start, end) as text, the parts inside `spans` (byte spans) highlighted."""
    cuts = sorted((max(a, start), min(b, end)) for a, b in spans if a < end and b > start and a < b)
    pieces: list[str] = []
    at = start
    for a, b in cuts:
        if b <= at:
            continue
        a = max(a, at)
        pieces.append(_text(data[at:a], style))
        pieces.append(style.paint(MATCH, _text(data[a:b], style)))
        at = b
    pieces.append(_text(data[at:end], style))
    return "".join(pieces)


def _text(chunk: bytes, style: Style) -> str:
    text = chunk.decode("utf-8", "replace")
    return shown(text) if style.safe else text


def code_lines(path: str, data: bytes, lines: LineStarts, spans: Sequence[tuple[int, int]], before: int = 0,
               after: int = 0, style: Style = Style()) -> list[str]:
    """A file's matches (byte spans, any order) as grep -n --column would print them, with
    `before`/`after` lines of context; with context, groups that do not touch are separated by
    `--` (as grep; between files too: `separator`)."""
    if not spans:
        return []
    count = len(lines.starts)
    if count > 1 and lines.starts[-1] >= len(data):  # the text ends with a line break: no line after it
        count -= 1
    first_col: dict[int, int] = {}  # the lines matches start on, and the first match's column there
    for start, _ in sorted(spans):
        line, col = lines.line_col(min(start, len(data)))
        first_col.setdefault(line, col)
    wanted: set[int] = set()
    for line in first_col:
        wanted.update(range(max(1, line - before), min(count, line + after) + 1))
    out: list[str] = []
    previous = None
    for line in sorted(wanted):
        if (before or after) and previous is not None and line > previous + 1:
            out.append(separator(style))
        previous = line
        start, end = line_text(data, lines, line)
        code = highlighted(data, start, end, spans, style)
        name = style.paint(PATH, _shown_path(path, style))
        if line in first_col:
            sep = style.paint(SEPARATOR, ":")
            out.append(f"{name}{sep}{style.paint(NUMBER, str(line))}{sep}"
                       f"{style.paint(NUMBER, str(first_col[line]))}{sep}{code}")
        else:
            sep = style.paint(SEPARATOR, "-")
            out.append(f"{name}{sep}{style.paint(NUMBER, str(line))}{sep}{code}")
    return out


def _shown_path(path: str, style: Style) -> str:
    return shown(path) if style.safe else path


def summary(matches: int, files: int, searched: int, values: int = 0) -> str:
    """What a search found, for stderr: `N matches in M files` (and the files searched)."""
    def count(number: int, what: str) -> str:
        return f"{number} {what}{'' if number == 1 else ('es' if what.endswith('ch') else 's')}"

    found = f"{count(matches, 'match')} in {count(files, 'file')}"
    if values:
        found += f"; {count(values, 'value')}"
    return f"{found} ({count(searched, 'file')} searched)"


def separator(style: Style) -> str:
    """The line grep prints between groups of lines with context (and between files)."""
    return style.paint(SEPARATOR, "--")
