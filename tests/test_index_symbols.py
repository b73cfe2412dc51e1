"""Workspace symbols from the index (bblfsh_lsp.index.symbols and `bblfsh-lsp symbols
--workspace`): on an index that `bblfsh-lsp index` builds of real Python, Go and JavaScript
files, the ranking (exact, prefix, word starts, substring, scattered; case; length; nesting),
containers, the names' ranges, limits, the query's special characters, a file edited and
indexed again, and the command line's output and exit status."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from bblfsh_lsp.index.store import INDEX_DIR_ENV, IndexStore
from bblfsh_lsp.index.symbols import (
    FoundSymbol,
    Pattern,
    aligned,
    aligned_names,
    find_symbols,
    in_order_names,
    match_score,
    order_key,
    score_names,
    words,
)

CLI = [sys.executable, "-m", "bblfsh_lsp", "--runtime", "process"]

# Names whose order for the query "parse" the tests know (see test_ranking_tiers).
SHAPES_PY = '''\
"""Names whose ranking the tests know."""

ä = 1; öl = 2


class HTTPServer:
    def serve_forever(self):
        pass

    def parse(self):
        pass


class HTTPServerError(Exception):
    pass


def parse(text):
    return text


def Parse(text):
    return text


def parse_args(argv):
    return argv


def parser_for(kind):
    return kind


def per_arg_set_entry():
    pass


def makeParseTree():
    pass


def sparse_matrix():
    pass


def prepare_sequence():
    pass


def getOptionalRelease():
    pass


def get_other_rows():
    pass


def größe():
    pass
'''

SERVER_GO = '''\
package server

type HTTPServer struct {
	Addr string
}

func (s *HTTPServer) ServeForever() error {
	return nil
}

func ParseArgs(argv []string) []string {
	return argv
}
'''

APP_JS = '''\
function parseArgs(argv) {
  return argv;
}

class Parser {
  parse(text) {
    return text;
  }
}

const $fetch_100 = () => 1;
'''


def index(root: Path, index_dir: Path) -> None:
    result = subprocess.run([*CLI, "index", str(root)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, INDEX_DIR_ENV: str(index_dir)})
    assert result.returncode == 0, result.stderr


def symbols_cli(index_dir: Path, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "symbols", *arguments], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, INDEX_DIR_ENV: str(index_dir)})


def open_store(root: Path, index_dir: Path) -> IndexStore:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(INDEX_DIR_ENV, str(index_dir))
        store = IndexStore.open(str(root), create=False)
    assert store is not None
    return store


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    for relative, text in (("py/shapes.py", SHAPES_PY), ("go/server.go", SERVER_GO), ("js/app.js", APP_JS)):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    index(root, root.parent / f"{root.name}-index")
    return root


@pytest.fixture(scope="module")
def index_dir(tree: Path) -> Path:
    return tree.parent / f"{tree.name}-index"


@pytest.fixture(scope="module")
def store(tree: Path, index_dir: Path) -> Iterator[IndexStore]:
    with open_store(tree, index_dir) as opened:
        yield opened


def shown(found: list[FoundSymbol]) -> list[tuple[str, str, int]]:
    return [(symbol.name, symbol.container, symbol.score) for symbol in found]


# -- ranking ----------------------------------------------------------------------------------


def test_ranking_tiers(store: IndexStore, tree: Path):
    found = find_symbols(store, "parse", limit=0, under=str(tree / "py"))
    assert shown(found) == [
        ("parse", "", 11),  # exact, with case; top-level before the method of the same name
        ("parse", "HTTPServer", 11),
        ("Parse", "", 10),  # exact ignoring case
        ("parse_args", "", 9),  # prefixes, equally long: in line order
        ("parser_for", "", 9),
        ("per_arg_set_entry", "", 7),  # word starts: p-er ar-g se-t
        ("makeParseTree", "", 6),  # word starts, ignoring case
        ("sparse_matrix", "", 5),  # inside a word
        ("prepare_sequence", "", 3),  # scattered
        ("getOptionalRelease", "", 2),  # scattered, ignoring case
    ]
    assert found == sorted(found, key=order_key)


def test_camel_case_snake_case_and_acronyms(store: IndexStore, tree: Path):
    py = str(tree / "py")
    # The case the query is typed in decides between two names it starts the words of.
    assert shown(find_symbols(store, "gOR", under=py)) == [("getOptionalRelease", "", 7), ("get_other_rows", "", 6)]
    assert shown(find_symbols(store, "gor", under=py)) == [("get_other_rows", "", 7), ("getOptionalRelease", "", 6)]
    # An acronym is a word of its own: HTTP, Server.
    assert shown(find_symbols(store, "htse", under=py)) == [("HTTPServer", "", 6), ("HTTPServerError", "", 6)]
    assert shown(find_symbols(store, "HTSe", under=py)) == [("HTTPServer", "", 7), ("HTTPServerError", "", 7)]
    assert shown(find_symbols(store, "HTTPServer", under=py)) == [("HTTPServer", "", 11), ("HTTPServerError", "", 9)]
    # Separators in the query are left out for word starts: parse_a is parse + a.
    assert [symbol.name for symbol in find_symbols(store, "pars_fo", under=py)][:1] == ["parser_for"]
    # Beyond ASCII: case folded as Python folds it.
    assert shown(find_symbols(store, "GRÖ", under=py)) == [("größe", "", 8)]
    assert shown(find_symbols(store, "öl", under=py)) == [("öl", "", 11)]


def test_every_language_indexed_is_searched(store: IndexStore):
    found = {(Path(symbol.path).parent.name, symbol.name, symbol.container)
             for symbol in find_symbols(store, "parse", limit=0)}
    assert {("go", "ParseArgs", ""), ("js", "parseArgs", ""), ("js", "Parser", ""), ("js", "parse", "Parser"),
            ("py", "parse", "HTTPServer")} <= found
    (server,) = [symbol for symbol in find_symbols(store, "ServeForever") if symbol.path.endswith(".go")]
    assert (server.kind_name, server.score) == ("method", 11)


def test_words_and_alignment():
    assert words("getOptionalRelease") == ["get", "Optional", "Release"]
    assert words("HTTPServer2") == ["HTTP", "Server", "2"]
    assert words("parse_args") == ["parse", "args"]
    assert words("__init__") == ["init"]
    assert words("ABCdef") == ["AB", "Cdef"]
    assert words("x11_yz") == ["x", "11", "yz"]
    # Taking the longest piece first is wrong here: "ab" + "c" fails where "a" + "bc" holds.
    assert aligned("abc", ["ab", "bc"])
    assert not aligned("abc", ["ab", "xc"])
    assert not aligned("", ["a"])


def test_all_names_at_once_agree_with_one_at_a_time():
    # The bit-parallel test (aligned_names) against the plain one (aligned) on random names:
    # capitals, digits, separators, beyond ASCII, zero characters.
    rng = random.Random(7)
    alphabet = "abAB_1xX9é\0Ç$"
    for _ in range(3000):
        names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(rng.randint(0, 12))]
        if rng.random() < 0.5:
            names = [name.replace("é", "").replace("\0", "").replace("Ç", "") for name in names]
        query = "".join(rng.choice("abAB1xXé") for _ in range(rng.randint(1, 4)))
        for ignore_case in (True, False):
            wanted = query.lower() if ignore_case else query
            one_at_a_time = [at for at, name in enumerate(names) if aligned(
                wanted, [word.lower() for word in words(name)] if ignore_case else words(name))]
            assert aligned_names(query, names, ignore_case) == one_at_a_time, (query, names, ignore_case)


def test_scores_of_names_without_an_index():
    pattern = Pattern.of("parse")
    names = ["parse", "PARSE", "parse_args", "Parser", "per_arg_set_entry", "makeParseTree", "sparse",
             "prepare_sequence", "nothing", "p.a.r.s.e"]
    assert score_names(pattern, names) == [11, 10, 9, 8, 7, 6, 5, 3, 0, 7]
    assert match_score(Pattern.of("p.a"), "p.a.r.s.e") == 9  # separators match themselves outside WORDS
    assert match_score(Pattern.of("foo"), "barefoot") == 5  # inside a word: not WORDS
    assert in_order_names("pRs", ["pRes", "pres", "p\0Rs", "", "sRp"]) == [0, 2]
    # A hostile name and query: possessive steps, one pass per name (a backtracking matcher
    # would take C(200, 30) tries here).
    assert in_order_names("a" * 30 + "b", ["a" * 200]) == []
    assert score_names(Pattern.of("a" * 30 + "b"), ["a" * 200, "a_" * 100]) == [0, 0]


# -- containers, ranges, limits, characters ------------------------------------------------------


def test_containers_and_kinds(store: IndexStore, tree: Path):
    by_name = {symbol.name: symbol for symbol in find_symbols(store, "", limit=0, under=str(tree / "py"))}
    assert (by_name["serve_forever"].container, by_name["serve_forever"].kind_name) == ("HTTPServer", "method")
    assert (by_name["HTTPServer"].container, by_name["HTTPServer"].kind_name) == ("", "class")
    assert (by_name["parse_args"].container, by_name["parse_args"].kind_name) == ("", "function")
    assert by_name["öl"].kind_name in ("variable", "constant")


def test_ranges_point_at_the_names(store: IndexStore, tree: Path):
    found = find_symbols(store, "", limit=0)
    assert {Path(symbol.path).suffix for symbol in found} == {".py", ".go", ".js"}
    for symbol in found:
        line = Path(symbol.path).read_bytes().splitlines()[symbol.line]
        assert symbol.end_line == symbol.line, symbol
        assert line[symbol.col8:symbol.end_col8].decode("utf-8") == symbol.name, symbol
        utf16 = line.decode("utf-8").encode("utf-16-le")
        assert utf16[2 * symbol.col16:2 * symbol.end_col16].decode("utf-16-le") == symbol.name, symbol
    # After "ä = 1; " (ä: two bytes, one UTF-16 unit) the columns differ by one.
    (oil,) = [symbol for symbol in found if symbol.name == "öl"]
    assert (oil.col8, oil.col16, oil.end_col8, oil.end_col16) == (8, 7, 11, 9)


def test_empty_query_gives_the_first_symbols_top_level_first(store: IndexStore):
    every = find_symbols(store, "   ", limit=0)
    assert len(every) == store.db.execute("SELECT count(*) FROM symbols").fetchone()[0]
    assert all(symbol.score == 0 for symbol in every)
    nested = [symbol.container != "" for symbol in every]
    assert nested == sorted(nested)  # top-level first
    assert find_symbols(store, "", limit=3) == every[:3]
    assert find_symbols(store, "\0", limit=3) == every[:3]  # what ends names inside the matcher: dropped
    assert score_names(Pattern.of(""), ["a", ""]) == [0, 0]


@pytest.mark.parametrize("query", ["e", "p", "par", "s", "_", "t", "gor", "ServeForever"])
def test_a_limit_is_the_start_of_the_whole_ranking(store: IndexStore, query: str):
    everything = find_symbols(store, query, limit=0)
    assert everything == sorted(everything, key=order_key)
    assert len(set(everything)) == len(everything)
    for limit in (1, 2, 3, 5, 8):
        assert find_symbols(store, query, limit=limit) == everything[:limit], limit


def test_special_characters_are_plain_characters(store: IndexStore):
    # What LIKE or GLOB would read as wildcards or escapes, and SQL's quote.
    for query in ("%", "\\", "'", "*", "?", "[", "%%", "_%"):
        assert find_symbols(store, query) == [], query
    assert find_symbols(store, "_", limit=0)  # names holding an underscore, and only those
    assert all("_" in symbol.name for symbol in find_symbols(store, "_", limit=0))
    # Separators match themselves (prefix, substring), and are left out for word starts: "$f"
    # also finds the names with a word starting with f, after the one that starts with "$f".
    assert shown(find_symbols(store, "$f"))[0] == ("$fetch_100", "", 9)
    assert {"parser_for", "serve_forever"} <= {symbol.name for symbol in find_symbols(store, "$f")}
    assert shown(find_symbols(store, "f_1")) == [("$fetch_100", "", 7)]  # fetch, 100
    assert shown(find_symbols(store, "h_1")) == [("$fetch_100", "", 5)]  # inside "fetch": a substring


def test_an_edited_file_indexed_again(tmp_path: Path):
    root, index_dir = tmp_path / "work", tmp_path / "indexes"
    root.mkdir()
    module = root / "module.py"
    module.write_text("def old_name():\n    pass\n\n\ndef kept():\n    pass\n", encoding="utf-8")
    (root / "gone.py").write_text("def doomed():\n    pass\n", encoding="utf-8")
    index(root, index_dir)
    with open_store(root, index_dir) as store:
        assert shown(find_symbols(store, "old_name")) == [("old_name", "", 11)]
        assert shown(find_symbols(store, "doomed")) == [("doomed", "", 11)]
        module.write_text("\n\ndef brand_new_name():\n    pass\n\n\ndef kept():\n    pass\n", encoding="utf-8")
        (root / "gone.py").unlink()
        index(root, index_dir)  # another process writes: this open store sees it on its next request
        assert find_symbols(store, "old_name") == []
        assert find_symbols(store, "doomed") == []
        (new,) = find_symbols(store, "brand_new_name")
        assert (new.line, new.col8, new.score) == (2, 4, 11)
        assert [symbol.name for symbol in find_symbols(store, "kept")] == ["kept"]


# -- the command line ---------------------------------------------------------------------------


def test_cli_prints_path_line_col_kind_name_and_container(tree: Path, index_dir: Path):
    result = symbols_cli(index_dir, "--workspace", "parse", "--limit", "3", cwd=tree)
    assert result.returncode == 0, result.stderr
    lines = SHAPES_PY.splitlines()
    top = next(number for number, line in enumerate(lines, 1) if line.startswith("def parse("))
    method = next(number for number, line in enumerate(lines, 1) if line.startswith("    def parse("))
    assert result.stdout.splitlines() == [
        f"py/shapes.py:{top}:5: function parse",
        "js/app.js:6:3: method parse (in Parser)",
        f"py/shapes.py:{method}:9: method parse (in HTTPServer)",
    ]
    assert result.stderr == ""


def test_cli_json_and_a_path_below_the_root(tree: Path, index_dir: Path):
    result = symbols_cli(index_dir, "--workspace", "gOR", "--json", "py", cwd=tree)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    line = next(number for number, text in enumerate(SHAPES_PY.splitlines(), 1) if "def getOptionalRelease" in text)
    assert rows[0] == {"path": "py/shapes.py", "line": line, "col": 5, "end_line": line, "end_col": 23,
                       "kind": "function", "name": "getOptionalRelease", "container": "", "score": 7}
    assert [row["name"] for row in rows] == ["getOptionalRelease", "get_other_rows"]
    absolute = symbols_cli(index_dir, "--workspace", "ParseArgs", str(tree / "go"), cwd=REPO)
    assert absolute.stdout.splitlines() == [f"{tree / 'go' / 'server.go'}:11:6: function ParseArgs"]


def test_cli_exit_statuses(tree: Path, index_dir: Path, tmp_path: Path):
    nothing = symbols_cli(index_dir, "--workspace", "qqxqqz", cwd=tree)
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (1, "", "")
    unindexed = tmp_path / "elsewhere"
    unindexed.mkdir()
    no_index = symbols_cli(index_dir, "--workspace", "parse", str(unindexed), cwd=tree)
    assert no_index.returncode == 2 and no_index.stdout == ""
    assert f"run `bblfsh-lsp index {unindexed}` first" in no_index.stderr
    missing = symbols_cli(index_dir, "--workspace", "parse", "no-such-folder", cwd=tree)
    assert missing.returncode == 2 and "no-such-folder" in missing.stderr
    neither = symbols_cli(index_dir, cwd=tree)
    assert neither.returncode == 2 and "--workspace" in neither.stderr


def test_cli_says_when_a_file_changed_since_it_was_indexed(tmp_path: Path):
    root, index_dir = tmp_path / "work", tmp_path / "indexes"
    root.mkdir()
    (root / "a.py").write_text("def alpha_one():\n    pass\n", encoding="utf-8")
    index(root, index_dir)
    fresh = symbols_cli(index_dir, "--workspace", "alpha", cwd=root)
    assert (fresh.returncode, fresh.stdout, fresh.stderr) == (0, "a.py:1:5: function alpha_one\n", "")
    (root / "a.py").write_text("# moved\ndef alpha_one():\n    pass\n", encoding="utf-8")
    stale = symbols_cli(index_dir, "--workspace", "alpha", cwd=root)
    assert stale.stdout == "a.py:1:5: function alpha_one\n"  # what the index says, until it is refreshed
    assert "a.py changed since it was indexed" in stale.stderr and "bblfsh-lsp index" in stale.stderr


def test_cli_outline_of_files_is_unchanged(tree: Path):
    result = subprocess.run([*CLI, "symbols", "js/app.js"], capture_output=True, text=True, timeout=120, cwd=tree)
    assert result.returncode == 0, result.stderr
    assert "class Parser" in result.stdout and "method parse" in result.stdout


def test_bench_reports():
    # bench/workspace_symbols.py --quick: a few stdlib modules, one round; its table and verdict.
    result = subprocess.run([sys.executable, str(REPO / "bench" / "workspace_symbols.py"), "--quick"],
                            capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    shapes = ["exact", "prefix", "initials", "words", "middle", "scattered", "short", "upper", "none", "empty", "all"]
    table = {cells[0]: cells[1:] for cells in rows if cells and cells[0] in shapes and len(cells) == 8}
    assert list(table) == shapes, result.stdout
    for cells in table.values():
        assert int(cells[0]) > 0 and all(float(cell) >= 0 for cell in cells[1:]), cells
    assert any(line.startswith(("PASS: p95", "FAIL: p95")) for line in result.stdout.splitlines()), result.stdout
