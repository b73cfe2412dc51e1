"""The workspace index through the command line, on real files and the real Python driver:
`bblfsh-lsp index` builds and refreshes it, `query` answers from it exactly as it answers by
parsing; edits, deletions, renames, a branch switch that rewrites many files, a file that stops
parsing, a killed indexer, two indexers at once, a damaged or outdated index file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from bblfsh_lsp.index.store import FORMAT, IndexStore, index_file

CLI = [sys.executable, "-m", "bblfsh_lsp", "--runtime", "process"]
STDLIB = Path(os.__file__).parent

QUERIES = [
    "//uast:FunctionGroup",
    "//python:Call[func/uast:Identifier[@Name='isinstance']]",
    "//*[@role='Function' and @role='Declaration']",
    "//uast:Identifier[@Name='self']",
    "count(//uast:Identifier)",
    "//python:FunctionDef[count(.//python:Return) > 1]",  # not planned: the full evaluator on candidates
    "//uast:String[@Value='utf-8']",
]


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "indexes"
    monkeypatch.setenv("BBLFSH_LSP_INDEX_DIR", str(folder))
    return folder


def run(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *arguments], capture_output=True, text=True, timeout=300, cwd=REPO,
                            env=os.environ.copy())
    if check and result.returncode not in (0, 1):
        raise AssertionError(f"{arguments}: exit {result.returncode}\n{result.stderr}")
    return result


def summary(root: Path) -> dict[str, int]:
    """The counts `index` prints: parsed, unchanged, removed."""
    line = run("index", str(root)).stdout.strip().splitlines()[-1]
    words = line.replace(",", "").replace(";", "").split()
    counts = {name: int(words[words.index(name) - 1]) for name in ("parsed", "unchanged", "removed")}
    assert int(words[1]) == counts["parsed"] + counts["unchanged"], line  # "indexed N files"
    return counts


def answers(query: str, root: Path, *extra: str) -> tuple[int, list[str], str]:
    result = run("query", "--json", query, str(root), *extra, check=False)
    assert result.returncode in (0, 1, 2) and "Traceback" not in result.stderr, result.stderr
    return result.returncode, sorted(result.stdout.splitlines()), result.stderr


def same_as_parsing(root: Path, queries: list[str] = QUERIES) -> None:
    for query in queries:
        indexed = answers(query, root)
        parsed = answers(query, root, "--no-index")
        assert indexed[:2] == parsed[:2], query
        assert sorted(indexed[2].splitlines()) == sorted(parsed[2].splitlines()), query


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    shutil.copytree(STDLIB / "json", root / "json", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("bisect.py", "colorsys.py", "textwrap.py", "shlex.py"):
        shutil.copy(STDLIB / name, root / name)
    (root / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    return root


def test_index_is_built_refreshed_and_answers_as_parsing(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    first = summary(root)
    assert first == {"parsed": 10, "unchanged": 0, "removed": 0}
    assert index_file(str(root)).parent == index_dir and not list(root.rglob("*.sqlite"))  # nothing in the workspace
    assert summary(root) == {"parsed": 0, "unchanged": 10, "removed": 0}
    same_as_parsing(root)

    # An edit, a deletion, a rename, a new file, a file that stops parsing, and a touch that
    # changes nothing.
    (root / "bisect.py").write_text((root / "bisect.py").read_text() + "\ndef added_later(x):\n    return x\n")
    (root / "colorsys.py").unlink()
    (root / "shlex.py").rename(root / "shell_lexer.py")
    (root / "new.py").write_text("def brand_new():\n    return isinstance(1, int)\n")
    (root / "textwrap.py").write_text("class Broken(:\n")
    os.utime(root / "json" / "tool.py", ns=(1, 1))
    assert summary(root) == {"parsed": 4, "unchanged": 6, "removed": 2}
    same_as_parsing(root)
    found = answers("//uast:FunctionGroup", root)[1]
    assert any('"added_later"' in line for line in found) and any('"brand_new"' in line for line in found)
    assert not any("colorsys.py" in line or "/shlex.py" in line for line in found)
    assert "textwrap.py" in answers("//uast:FunctionGroup", root)[2]  # the broken file is reported, as parsing does


def test_query_refreshes_what_changed_since_the_index(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    (root / "bisect.py").write_text("def only_one(self):\n    return isinstance(self, int)\n")
    status, found, _ = answers("//uast:FunctionGroup", root)
    assert status == 0 and [line for line in found if "bisect.py" in line] == [
        line for line in answers("//uast:FunctionGroup", root, "--no-index")[1] if "bisect.py" in line]
    assert summary(root)["parsed"] == 0  # the query wrote what it parsed
    # ...with its terms, a new one and known ones, under their ids (looked up, not all read): the
    # plans that narrow files by them find it.
    same_as_parsing(root, ["//uast:Identifier[@Name='only_one']", "//uast:Identifier[@Name='self']",
                           "//python:Call[func/uast:Identifier[@Name='isinstance']]"])
    assert any("bisect.py" in line for line in answers("//uast:Identifier[@Name='only_one']", root)[1])


def test_branch_switch_rewriting_many_files(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    # Every file rewritten: half with new content, half with the same content (a checkout).
    files = sorted(root.rglob("*.py"))
    for number, path in enumerate(files):
        text = path.read_text()
        path.write_text(text + f"\nswitched_{number} = {number}\n" if number % 2 else text)
    counts = summary(root)
    assert counts["parsed"] == len(files) // 2 and counts["unchanged"] == len(files) - len(files) // 2
    same_as_parsing(root, ["//uast:Identifier[@Name='switched_1']", "//uast:FunctionGroup"])


def test_damaged_index_is_rebuilt_with_a_message(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    database = index_file(str(root))
    database.write_bytes(b"this is not a database" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    result = run("query", "//uast:FunctionGroup", str(root))
    assert result.returncode == 0 and "could not be read" in result.stderr and "rebuilt" in result.stderr
    assert summary(root) == {"parsed": 0, "unchanged": 10, "removed": 0}
    same_as_parsing(root, QUERIES[:2])


def test_damaged_node_table_is_parsed_again(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    with sqlite3.connect(index_file(str(root))) as db:
        db.execute("UPDATE files SET nodes = x'00010203' WHERE path LIKE '%bisect.py'")
    same_as_parsing(root, QUERIES[:1])


def test_index_of_another_format_is_rebuilt(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    with sqlite3.connect(index_file(str(root))) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'format'")
    assert summary(root) == {"parsed": 10, "unchanged": 0, "removed": 0}
    with IndexStore.open(str(root), create=False) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == (FORMAT,)


def test_another_driver_makes_entries_stale(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    result = subprocess.run([*CLI, "--driver", "python=universal", "index", str(root)], capture_output=True,
                            text=True, timeout=300, cwd=REPO)
    assert "10 parsed" in result.stdout, result.stdout + result.stderr


def test_killed_indexer_leaves_a_usable_index(tmp_path: Path, index_dir: Path) -> None:
    root = tmp_path / "big"
    for number in range(6):
        shutil.copytree(STDLIB / "json", root / f"copy{number}" / "json", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(STDLIB / "email", root / f"copy{number}" / "email",
                        ignore=shutil.ignore_patterns("__pycache__"))
    total = len(list(root.rglob("*.py"))) + len(list(root.rglob("*.rst"))) + len(list(root.rglob("*.txt")))
    indexer = subprocess.Popen([*CLI, "index", str(root), "--progress", "json"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=REPO, start_new_session=True)
    assert indexer.stdout is not None
    for line in indexer.stdout:
        if json.loads(line)["done"] >= 100:  # past the first batch written
            break
    os.killpg(indexer.pid, signal.SIGKILL)
    indexer.wait()
    with IndexStore.open(str(root), create=False) as store:
        kept = len(store.records())
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert 0 < kept < total
    counts = summary(root)
    assert counts["unchanged"] == kept and counts["parsed"] > 0
    same_as_parsing(root, QUERIES[:2])


def test_two_indexers_at_once(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    first = subprocess.Popen([*CLI, "index", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=REPO)
    second = subprocess.Popen([*CLI, "index", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=REPO)
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    said = " ".join(out for out, _ in outputs)
    assert "indexed 10 files" in said  # one indexed; the other found it being indexed, or fresh
    assert summary(root)["unchanged"] == 10
    same_as_parsing(root, QUERIES[:1])


def test_drop(tmp_path: Path, index_dir: Path) -> None:
    root = workspace(tmp_path)
    summary(root)
    assert index_file(str(root)).exists()
    assert "removed index" in run("index", "--drop", str(root)).stdout
    assert not index_file(str(root)).exists()
