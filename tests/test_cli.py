"""The bblfsh-lsp command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

EXAMPLES = REPO / "examples"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("def alpha():\n    return 'é'\n", encoding="utf-8")
    (tmp_path / "pkg" / "b.py").write_text("class Beta:\n    def gamma(self):\n        pass\n", encoding="utf-8")
    (tmp_path / "pkg" / "notes.txt").write_text("not code\n", encoding="utf-8")
    (tmp_path / "pkg" / "script").write_text("#!/usr/bin/env python3\ndef delta():\n    pass\n", encoding="utf-8")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_text("def generated():\n    pass\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hook.py").write_text("def hook():\n    pass\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("build/\n", encoding="utf-8")
    return tmp_path


def test_query_walks_a_tree_like_grep(tree: Path):
    result = run("query", "//uast:FunctionGroup", ".", cwd=tree)
    assert result.returncode == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert lines == [  # as grep -n --column: path:line:col:the line of code
        "pkg/a.py:1:5:def alpha():",
        "pkg/b.py:2:9:    def gamma(self):",
        "pkg/script:2:5:def delta():",
    ]
    assert result.stderr == ""  # notes.txt is skipped quietly; build/ and .git/ are not searched
    nodes = run("query", "--nodes", "//uast:FunctionGroup", ".", cwd=tree)  # the node, not its code
    assert sorted(nodes.stdout.splitlines()) == [
        "pkg/a.py:1:5: uast:FunctionGroup alpha",
        "pkg/b.py:2:9: uast:FunctionGroup gamma",
        "pkg/script:2:5: uast:FunctionGroup delta",
    ]


def test_query_json_and_exit_status_when_nothing_matches(tree: Path):
    found = run("query", "--json", "//uast:Identifier[@Name='alpha']", "pkg/a.py", cwd=tree)
    assert found.returncode == 0
    (match,) = [json.loads(line) for line in found.stdout.splitlines()]
    assert match == {"path": "pkg/a.py", "line": 1, "col": 5, "end_line": 1, "end_col": 10,
                     "type": "uast:Identifier", "label": "alpha"}
    nothing = run("query", "//uast:Identifier[@Name='nobody']", "pkg", cwd=tree)
    assert (nothing.returncode, nothing.stdout) == (1, "")


def test_invalid_query_exits_2_naming_the_problem(tree: Path):
    result = run("query", "//uast:Identifier[", "pkg", cwd=tree)
    assert result.returncode == 2
    assert "invalid query" in result.stderr and result.stdout == ""
    unknown = run("query", "//nope:Thing", "pkg", cwd=tree)
    assert unknown.returncode == 2 and "prefix 'nope'" in unknown.stderr


def test_scalar_queries_print_their_value(tree: Path):
    result = run("query", "count(//uast:FunctionGroup)", "pkg/b.py", cwd=tree)
    assert result.returncode == 0 and result.stdout.strip() == "pkg/b.py: 1"


def test_bad_files_are_named_and_the_run_goes_on(tree: Path):
    (tree / "bin.py").write_bytes(b"\x00\x01\x02")
    (tree / "latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (tree / "broken.py").write_text("def (:\n", encoding="utf-8")
    (tree / "notes.txt").write_text("just prose\n", encoding="utf-8")
    result = run("query", "//uast:FunctionGroup", "missing.py", "bin.py", "latin.py", "broken.py",
                 "notes.txt", "pkg/a.py", cwd=tree)
    assert result.stdout.splitlines() == ["pkg/a.py:1:5:def alpha():"]
    errors = result.stderr
    assert "missing.py: cannot read" in errors
    assert "bin.py: binary file" in errors
    assert "latin.py: not UTF-8 text (byte 0xe9 at offset 8, line 1)" in errors
    assert "broken.py:1:5: invalid syntax" in errors
    assert "cannot tell the language of notes.txt" in errors
    assert result.returncode == 2  # as grep: files named on the command line could not be searched


def test_parse_jsonl_is_what_the_scorer_reads(tree: Path):
    result = run("parse", "--format", "jsonl", "pkg/a.py", "pkg/notes.txt", cwd=tree)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["path"] for record in records] == ["pkg/a.py", "pkg/notes.txt"]
    ok, unknown = records
    assert ok["language"] == "python" and ok["errors"] == []
    assert ok["uast"]["@type"] == "python:Module"
    function = ok["uast"]["body"][0]
    assert function["@type"] == "uast:FunctionGroup"
    assert function["@pos"]["start"] == {"@type": "uast:Position", "offset": 4, "line": 1, "col": 5}
    assert unknown["uast"] is None and "notes.txt" in unknown["errors"][0]["message"]
    assert result.returncode == 1


@pytest.mark.parametrize("mode", ["native", "annotated", "semantic"])
def test_parse_modes_and_formats(tree: Path, mode: str):
    as_json = run("parse", "--mode", mode, "pkg/b.py", cwd=tree)
    tree_json = json.loads(as_json.stdout)["uast"]
    has_roles = "@role" in json.dumps(tree_json)
    has_semantic = "uast:FunctionGroup" in json.dumps(tree_json)
    assert (has_roles, has_semantic) == {"native": (False, False), "annotated": (True, False),
                                         "semantic": (True, True)}[mode]
    as_yaml = run("parse", "--mode", mode, "--format", "yaml", "pkg/b.py", cwd=tree)
    import yaml

    assert yaml.safe_load(as_yaml.stdout)["uast"] == tree_json


def test_symbols_prints_the_outline_as_a_tree(tree: Path):
    result = run("symbols", "pkg/b.py", cwd=tree)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "└── class Beta  (1-3)",
        "    └── method gamma  (2-3)",
    ]


def test_languages_lists_drivers_and_the_runtime():
    result = run("languages")
    assert result.returncode == 0
    assert "runtime: process" in result.stdout
    assert any(line.split()[:3] == ["python", "python", "0.1.0"] for line in result.stdout.splitlines())
    assert any(line.split()[:3] == ["bash", "universal", "0.1.0"] for line in result.stdout.splitlines())


def test_readme_main_job_runs_on_the_bundled_example():
    result = run("query", "--nodes", "//uast:FunctionGroup", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    labels = {line.rsplit(" ", 1)[-1] for line in result.stdout.splitlines()}
    assert {"add", "take", "low_stock", "render", "main"} <= labels


def test_a_query_over_its_time_limit_on_a_file_is_stopped_and_named(tmp_path: Path):
    big = tmp_path / "big.py"
    big.write_text("".join(f"def f{number}(a, b):\n    return a + b\n\n" for number in range(2000)))
    small = tmp_path / "small.py"
    small.write_text("def tiny():\n    pass\n")
    result = run("query", "--timeout", "0.5", "//*//*//*//*", str(big), str(small))
    assert result.returncode == 2, result.stderr  # as grep: a named file could not be searched
    assert f"{big}: the query took longer than 0.5 s" in result.stderr
    assert "small.py:" in result.stdout  # the other file was searched


def test_values_json_cannot_carry_are_given_as_xpath_writes_them():
    # JSON has no NaN or Infinity: XPath's string() of them.
    result = run("query", "--json", "0 div 0", str(EXAMPLES / "python" / "cli.py"))
    assert json.loads(result.stdout)["value"] == "NaN"
    result = run("query", "-1 div 0", str(EXAMPLES / "python" / "cli.py"))
    assert result.stdout.strip().endswith(": -Infinity")
