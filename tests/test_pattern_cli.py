"""`bblfsh-lsp query --pattern`, run as a user runs it: captures in --json and --format, errors
that name the position, --lang, --semantic across languages; and a differential test that a
pattern and its hand-written XPath give the same matches on examples/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

EXAMPLES = REPO / "examples"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def places(output: str) -> set[tuple[str, int, int, int, int]]:
    return {(record["path"], record["line"], record["col"], record["end_line"], record["end_col"])
            for record in map(json.loads, output.splitlines())}


# A pattern and the XPath that says the same, over the native trees of examples/.
DIFFERENTIAL = [
    ("def $F($$$):\n    $$$", "//python:FunctionDef"),
    ("$X.get($$$)", "//python:Call[func/python:Attribute[@token='get']]"),
    ("Item($$$)", "//python:Call[func/python:Name[@token='Item']]"),
    ("$S.add($A, $B)", "//python:Call[func/python:Attribute[@token='add'] and count(args/*)=2 and not(keywords/*)]"),
    ("return $X", "//python:Return[value/*]"),
    ("raise ValueError($$$)", "//python:Raise[exc/python:Call/func/python:Name[@token='ValueError'] and not(cause/*)]"),
]


@pytest.mark.parametrize(("pattern", "xpath"), DIFFERENTIAL, ids=[pattern for pattern, _ in DIFFERENTIAL])
def test_a_pattern_and_its_xpath_find_the_same_code(pattern: str, xpath: str):
    by_pattern = run("query", "--json", "--pattern", pattern, "--lang", "python", str(EXAMPLES))
    by_xpath = run("query", "--json", "--mode", "native", xpath, str(EXAMPLES))
    assert by_pattern.returncode == 0, by_pattern.stderr
    assert by_xpath.returncode == 0, by_xpath.stderr
    assert places(by_pattern.stdout) == places(by_xpath.stdout)


def test_captures_in_json_and_format():
    found = run("query", "--json", "--pattern", "$S.add($A, $N)", str(EXAMPLES / "python" / "cli.py"))
    assert found.returncode == 0, found.stderr
    records = [json.loads(line) for line in found.stdout.splitlines()]
    assert [record["line"] for record in records] == [13, 14]
    first = records[0]
    assert first["type"] == "python:Call"
    assert first["captures"] == {
        "S": {"text": "stock", "line": 13, "col": 5, "end_line": 13, "end_col": 10},
        "A": {"text": "beans", "line": 13, "col": 15, "end_line": 13, "end_col": 20},
        "N": {"text": "3", "line": 13, "col": 22, "end_line": 13, "end_col": 23},
    }
    printed = run("query", "--pattern", "$S.add($A, $N)", "--format", "$LINE: $N of $A ($MATCH)",
                  str(EXAMPLES / "python" / "cli.py"))
    assert printed.stdout.splitlines() == ["13: 3 of beans (stock.add(beans, 3))",
                                           "14: 40 of filters (stock.add(filters, 40))"]


def test_text_output_exit_status_and_xpath_still_the_default():
    found = run("query", "--pattern", "sys.exit($X)", str(EXAMPLES))
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines() == [f"{EXAMPLES}/python/cli.py:20:5:    sys.exit(main(sys.argv[1:]))"]
    assert found.stderr == ""  # the README (Markdown) cannot read the pattern: skipped quietly
    nothing = run("query", "--pattern", "sys.exit($X, $Y)", str(EXAMPLES))
    assert (nothing.returncode, nothing.stdout) == (1, "")
    xpath = run("query", "//uast:FunctionGroup", str(EXAMPLES / "python" / "cli.py"))
    assert xpath.returncode == 0 and ":9:5:def main(argv: list[str]) -> int:" in xpath.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--pattern", "foo(", "--lang", "python"], "the pattern does not parse as python: 1:4: "),
    (["--pattern", "foo($X", "--lang", "javascript"], "the pattern does not parse as javascript: 1:7: "),
    (["--pattern", "foo($X)", "--lang", "klingon"], "unknown language 'klingon'"),
    (["--pattern", "foo($X)", "--format", "$Y"], "--format names $Y"),
    (["//uast:Identifier", "--semantic"], "--lang and --semantic go with --pattern"),
])
def test_usage_errors_exit_2_and_say_why(args: list[str], message: str):
    result = run("query", *args, str(EXAMPLES))
    assert result.returncode == 2
    assert message in result.stderr


def test_a_pattern_no_language_can_read_exits_2(tmp_path: Path):
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    result = run("query", "--pattern", "foo(", str(tmp_path))
    assert result.returncode == 2
    assert "python: 1:4:" in result.stderr


SOURCES = {
    "store.py": "def load(path):\n    return open(path).read()\n\n\ndef save():\n    load('x')\n",
    "store.js": "function load(path) { return read(path) }\nfunction save() { load('x') }\n",
    "store.go": "package store\n\nfunc load(path string) string { return read(path) }\n\nfunc save() { load(\"x\") }\n",
    "Store.java": "class Store {\n  String load(String path) { return read(path); }\n"
                  "  void save() { load(\"x\"); }\n}\n",
}


def test_semantic_patterns_cross_languages(tmp_path: Path):
    for name, text in SOURCES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    functions = run("query", "--semantic", "--lang", "python", "--pattern", "def load($$$):\n    $$$",
                    "--format", "$PATH:$LINE", str(tmp_path))
    assert functions.returncode == 0, functions.stderr
    assert sorted(Path(line).name for line in functions.stdout.splitlines()) == [
        "Store.java:2", "store.go:3", "store.js:1", "store.py:1"]
    calls = run("query", "--semantic", "--lang", "python", "--pattern", "load($X)", "--format", "$PATH $X",
                str(tmp_path))
    assert sorted(Path(line).name for line in calls.stdout.splitlines()) == [
        'Store.java "x"', 'store.go "x"', "store.js 'x'", "store.py 'x'"]
    # Without --semantic a pattern searches its own language only.
    native = run("query", "--lang", "python", "--pattern", "load($X)", "--format", "$PATH", str(tmp_path))
    assert [Path(line).name for line in native.stdout.splitlines()] == ["store.py"]


def test_semantic_patterns_on_the_bundled_examples_in_four_languages():
    """examples/ holds one inventory in Python, JavaScript, Go and Java: a pattern written in one
    language finds the same construct in the others."""
    functions = run("query", "--semantic", "--lang", "python", "--pattern", "def render($$$): $$$",
                    "--format", "$PATH", str(EXAMPLES))
    assert functions.returncode == 0, functions.stderr
    assert sorted(Path(line).parent.name for line in functions.stdout.splitlines()) == [
        "inventory", "inventory", "javascript"]  # go/inventory, python/inventory, javascript
    assert {Path(line).suffix for line in functions.stdout.splitlines()} == {".go", ".js", ".py"}
    calls = run("query", "--semantic", "--lang", "javascript", "--pattern", "lowStock($S, $I)", "--format",
                "$PATH $S", str(EXAMPLES))
    assert sorted(Path(line).name for line in calls.stdout.splitlines()) == [
        "Inventory.java stock", "inventory.js stock"]
    # A role query answers alike: every language's functions are Function and Declaration.
    roles = run("query", "--nodes", "//*[@role='Function' and @role='Declaration']", str(EXAMPLES))
    assert {Path(line.split(":")[0]).suffix for line in roles.stdout.splitlines()} == {".go", ".java", ".js", ".py"}
