"""Structural search as a library (bblfsh_lsp.query): the walk-parse-match loop that the CLI
and the server share, with the real Python driver behind it, and its edge: no LSP, no table
of languages inside."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query import FileMatches, QueryError, Search
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.errors import UnknownLanguage
from driver_runtime.sdk.protocol import DEFAULT_PARTS, Mode, ParseRequest, ParseResult
from driver_runtime.sdk.serve import with_parts


class PythonOnly:
    """A parser that knows one language, Python, parsed by the real Python driver in this
    process: what the search needs of the runtime, and no more."""

    def __init__(self) -> None:
        self.driver = PythonDriver()

    async def parse(self, content: str, path: str = "", language: str | None = None,
                    mode: Mode = Mode.SEMANTIC, parts: tuple[str, ...] = DEFAULT_PARTS) -> ParseResult:
        if language not in (None, "python") or (language is None and not self.recognises(path)
                                                 and not content.startswith("#!/usr/bin/env python")):
            raise UnknownLanguage(f"cannot tell the language of {path}")
        result = self.driver.parse(ParseRequest(content=content, filename=path, mode=mode))
        return with_parts(result, parts, content.encode("utf-8", "surrogatepass"))  # as the kit's serve loop

    def language_names(self) -> Collection[str]:
        return ("python",)

    def recognises(self, path: str) -> bool:
        return path.endswith(".py")


def search(text: str, **options: object) -> Search:
    return asyncio.run(Search.start(text, PythonOnly(), **options))  # type: ignore[arg-type]


async def collect(search: Search, paths: list[str]) -> list[FileMatches]:
    return [outcome async for outcome in search.files(paths)]


def test_the_library_imports_neither_lsp_nor_the_language_table():
    code = ("import sys, bblfsh_lsp.query; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lsprotocol', 'pygls') "
            "or m in ('driver_runtime.languages', 'driver_runtime.registry', 'bblfsh_lsp.server')))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"


def test_a_query_may_use_the_parser_s_languages_and_no_other():
    assert search("//python:FunctionDef").query.prefixes == {"uast", "python"}
    with pytest.raises(QueryError, match="unknown namespace prefix 'go'"):
        search("//go:File")


def test_walk_takes_what_the_parser_recognises_and_files_without_extension(tmp_path: Path):
    (tmp_path / "a.py").write_text("def f():\n    pass\n")
    (tmp_path / "notes.txt").write_text("def g(): pass\n")
    (tmp_path / "script").write_text("#!/usr/bin/env python\ndef h():\n    pass\n")
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "skip.py").write_text("def s():\n    pass\n")
    reported: list[str] = []
    found = search("//uast:FunctionGroup").walk([str(tmp_path)], reported.append,
                                               skip=lambda path: path.endswith("skip.py"))
    assert [os.path.basename(path) for path in found] == ["a.py", "script"]
    assert len(reported) == 1 and "gone.py" in reported[0]


def test_files_give_matches_values_and_problems_in_order(tmp_path: Path):
    good = tmp_path / "good.py"
    good.write_text("def f():\n    pass\n\nclass C:\n    def m(self):\n        return 1\n")
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"\0\1\2")
    other = tmp_path / "other.rb"
    other.write_text("def r; end\n")
    paths = [str(good), str(broken), str(binary), str(other)]
    functions = asyncio.run(collect(search("//uast:FunctionGroup"), paths))
    assert [outcome.path for outcome in functions] == paths
    assert [match.label for match in functions[0].matches] == ["f", "m"]
    assert functions[0].found == 2 and functions[0].problem is None
    assert functions[1].problem and not functions[1].unread  # read, but no tree
    assert functions[2].unread and "binary" in (functions[2].problem or "")
    assert functions[3].problem and "cannot tell the language" in functions[3].problem
    count = asyncio.run(collect(search("count(//uast:FunctionGroup)"), [str(good)]))[0]
    assert count.matches == [] and count.value == 2 and count.found == 1
    index = count.index
    assert isinstance(index, TextIndex) and index.encoding == "utf-8"


def test_a_query_over_its_time_limit_on_a_tree_is_stopped_and_named(tmp_path: Path):
    big = tmp_path / "big.py"
    big.write_text("".join(f"def f{number}(a, b):\n    return a + b\n\n" for number in range(2000)))
    outcome = asyncio.run(collect(search("//*//*//*//*", time_limit=0.5), [str(big)]))[0]
    assert outcome.timed_out and outcome.matches == []
    assert outcome.problem == f"{big}: the query took longer than 0.5 s on this file and was stopped"


class TreesOnly(PythonOnly):
    """A driver of protocol 1.2: whatever parts are asked for, the tree alone."""

    async def parse(self, content: str, path: str = "", language: str | None = None,
                    mode: Mode = Mode.SEMANTIC, parts: tuple[str, ...] = DEFAULT_PARTS) -> ParseResult:
        return await super().parse(content, path, language, mode)


@pytest.mark.parametrize("text", ["//uast:FunctionGroup", "count(//python:Call)",
                                  "//python:Call[func/uast:Identifier[@Name='render']]",
                                  "//uast:Identifier[@Name='self']/parent::*"])
def test_tables_from_the_driver_answer_as_trees_do(text: str):
    """A planned search asks the drivers for node tables (the last query has no plan: trees);
    a driver that sends trees instead gets the same answers."""
    from bblfsh_lsp.index.search import planned_search

    paths = sorted(str(path) for path in (Path(__file__).parent.parent / "examples" / "python").rglob("*.py"))

    async def run(parser: PythonOnly) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        found = await planned_search(text, parser)  # type: ignore[arg-type]
        outcomes = await collect(found, paths)
        return found.parts, [(outcome.path, outcome.value, [(match, outcome.lines.line_col(match.start))
                                                            for match in outcome.matches]) for outcome in outcomes]

    parts, with_tables = asyncio.run(run(PythonOnly()))
    _, with_trees = asyncio.run(run(TreesOnly()))
    assert parts == (("uast",) if "parent::" in text else ("table",))
    assert with_tables == with_trees
    assert any(matches or value for _, value, matches in with_tables)
