"""Results that show code: bblfsh_lsp/match_lines.py on its own, and `bblfsh-lsp query`'s output
as a user sees it (lines of code, --color and NO_COLOR, a terminal, -A/-B/-C, the summary)."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from bblfsh_lsp import match_lines
from bblfsh_lsp.match_lines import MATCH, RESET, Style, code_lines, highlighted, shown, summary, use_color
from driver_runtime.sdk.uast import LineStarts

SOURCE = (b"import os\n\ndef f(x):\n    return isinstance(x, int)\n\n\n"
          b"def g(y):\n    return isinstance(y, str) or isinstance(y, bytes)\n")


def spans_of(data: bytes, needle: bytes) -> list[tuple[int, int]]:
    out, at = [], data.find(needle)
    while at >= 0:
        out.append((at, at + len(needle)))
        at = data.find(needle, at + 1)
    return out


def test_each_line_once_with_the_first_match_column():
    spans = spans_of(SOURCE, b"isinstance(")
    assert code_lines("a.py", SOURCE, LineStarts(SOURCE), spans) == [
        "a.py:4:12:    return isinstance(x, int)",
        "a.py:8:12:    return isinstance(y, str) or isinstance(y, bytes)",
    ]


def test_context_lines_and_group_separators_as_grep():
    lines = LineStarts(SOURCE)
    spans = spans_of(SOURCE, b"isinstance(")
    assert code_lines("a.py", SOURCE, lines, spans, before=1) == [
        "a.py-3-def f(x):",
        "a.py:4:12:    return isinstance(x, int)",
        "--",
        "a.py-7-def g(y):",
        "a.py:8:12:    return isinstance(y, str) or isinstance(y, bytes)",
    ]
    # Groups that touch are one group; the context stops at the file's ends.
    assert code_lines("a.py", SOURCE, lines, spans, before=2, after=2) == [
        "a.py-2-", "a.py-3-def f(x):", "a.py:4:12:    return isinstance(x, int)", "a.py-5-", "a.py-6-",
        "a.py-7-def g(y):", "a.py:8:12:    return isinstance(y, str) or isinstance(y, bytes)",
    ]


def test_colour_highlights_every_match_on_a_line_and_the_rest_of_a_long_one():
    lines = LineStarts(SOURCE)
    spans = spans_of(SOURCE, b"isinstance")
    (_, second) = code_lines("a.py", SOURCE, lines, spans, style=Style(color=True))
    assert second.count(MATCH + "isinstance" + RESET) == 2
    assert second.startswith("\x1b[35ma.py\x1b[0m\x1b[36m:\x1b[0m\x1b[32m8\x1b[0m")
    # A match over several lines: its first line to its end, and the context lines it covers.
    start = SOURCE.index(b"def f")
    end = SOURCE.index(b"int)") + 4
    shown_lines = code_lines("a.py", SOURCE, lines, [(start, end)], after=1, style=Style(color=True))
    assert shown_lines[0].endswith(MATCH + "def f(x):" + RESET)
    assert shown_lines[1].endswith(MATCH + "    return isinstance(x, int)" + RESET)
    assert code_lines("a.py", SOURCE, lines, [(start, end)], after=1) == [
        "a.py:3:1:def f(x):", "a.py-4-    return isinstance(x, int)"]


def test_line_ends_are_not_shown_and_control_characters_are_defused():
    data = "x = '\x1b]0;pwned\x07é'\r\ny = 2\r\n".encode()
    lines = LineStarts(data)
    assert code_lines("w.py", data, lines, [(4, 4 + len("'\x1b]0;pwned\x07é'".encode()))], style=Style(safe=True)) == [
        "w.py:1:5:x = '^[]0;pwned^Gé'"]
    assert shown("a\tb\x9bc\x7f") == "a\tb\\x9bc^?"
    assert highlighted(b"abc", 0, 3, [(1, 1)], Style(color=True)) == "abc"  # an empty match: nothing to paint


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("choice", "tty", "environ", "expected"), [
    ("always", False, {"NO_COLOR": "1"}, True),
    ("never", True, {}, False),
    ("auto", True, {}, True),
    ("auto", False, {}, False),
    ("auto", True, {"NO_COLOR": "1"}, False),
    ("auto", True, {"NO_COLOR": ""}, True),  # no-color.org: set and not empty
    ("auto", True, {"TERM": "dumb"}, False),
])
def test_when_to_colour(choice: str, tty: bool, environ: dict[str, str], expected: bool):
    assert use_color(choice, FakeTerminal(tty), environ) is expected


def test_summary():
    assert summary(1, 1, 1) == "1 match in 1 file (1 file searched)"
    assert summary(3, 2, 10) == "3 matches in 2 files (10 files searched)"
    assert summary(0, 0, 1, values=1) == "0 matches in 0 files; 1 value (1 file searched)"


# --- the command line ------------------------------------------------------------------------------

def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "query", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_bytes(SOURCE)
    (tmp_path / "b.py").write_text("def h(z):\n    if isinstance(z, list):\n        return z\n", encoding="utf-8")
    return tmp_path


def test_the_cli_prints_lines_of_code_and_colours_when_asked(project: Path):
    plain = cli("--pattern", "isinstance($X, $T)", "a.py", "b.py", cwd=project)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines() == [
        "a.py:4:12:    return isinstance(x, int)",
        "a.py:8:12:    return isinstance(y, str) or isinstance(y, bytes)",
        "b.py:2:8:    if isinstance(z, list):",
    ]
    assert plain.stderr == ""  # the summary is for a terminal, or --summary
    coloured = cli("--color", "always", "--pattern", "isinstance($X, $T)", "b.py", cwd=project,
                   env={"NO_COLOR": "1"})
    assert coloured.stdout == ("\x1b[35mb.py\x1b[0m\x1b[36m:\x1b[0m\x1b[32m2\x1b[0m\x1b[36m:\x1b[0m\x1b[32m8\x1b[0m"
                               "\x1b[36m:\x1b[0m    if \x1b[01;31misinstance(z, list)\x1b[0m:\n")
    never = cli("--color", "never", "--pattern", "isinstance($X, $T)", "b.py", cwd=project)
    assert "\x1b" not in never.stdout


def test_the_cli_context_summary_and_usage(project: Path):
    context = cli("-C", "1", "--summary", "--pattern", "isinstance($X, $T)", "a.py", "b.py", cwd=project)
    assert context.stdout.splitlines() == [
        "a.py-3-def f(x):", "a.py:4:12:    return isinstance(x, int)", "a.py-5-",
        "--",
        "a.py-7-def g(y):", "a.py:8:12:    return isinstance(y, str) or isinstance(y, bytes)",
        "--",
        "b.py-1-def h(z):", "b.py:2:8:    if isinstance(z, list):", "b.py-3-        return z",
    ]
    assert context.stderr.splitlines() == ["4 matches in 2 files (2 files searched)"]
    after = cli("-A", "1", "-B", "0", "//python:Return", "b.py", cwd=project)
    assert after.stdout.splitlines() == ["b.py:3:9:        return z"]
    wrong = cli("-C", "1", "--json", "//python:Return", "b.py", cwd=project)
    assert wrong.returncode == 2 and "-A, -B and -C show lines of code" in wrong.stderr
    not_a_number = cli("-C", "x", "//python:Return", "b.py", cwd=project)
    assert not_a_number.returncode == 2 and "expected a number of lines" in not_a_number.stderr
    # --json stays machine output: one object per match, no colour even when asked.
    as_json = cli("--json", "--color", "always", "--pattern", "isinstance($X, $T)", "b.py", cwd=project)
    assert as_json.stdout.startswith('{"path":"b.py","line":2,"col":8,') and "\x1b" not in as_json.stdout


def test_on_a_terminal_matches_are_coloured_and_summed_up(project: Path):
    """`auto` as a user meets it: stdout and stderr a terminal (a pty); NO_COLOR turns it off."""
    def on_terminal(env: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "query", "--pattern", "isinstance($X, $T)",
             "b.py"], cwd=project, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
            env={**{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}, "TERM": "xterm", **env})
        os.close(follower)
        seen = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other end closed: the process is done
                break
            if not chunk:
                break
            seen += chunk
        process.wait(timeout=60)
        os.close(leader)
        return seen.decode().replace("\r\n", "\n")

    coloured = on_terminal({})
    assert "\x1b[01;31misinstance(z, list)\x1b[0m" in coloured
    assert "1 match in 1 file (1 file searched)" in coloured
    uncoloured = on_terminal({"NO_COLOR": "1"})
    assert "b.py:2:8:    if isinstance(z, list):" in uncoloured and "\x1b[01;31m" not in uncoloured


def test_the_module_is_plain():
    """The renderer reads no files and knows no query: a library the CLI calls."""
    source = Path(match_lines.__file__).read_text(encoding="utf-8")
    assert "open(" not in source and "bblfsh_lsp.query" not in source
