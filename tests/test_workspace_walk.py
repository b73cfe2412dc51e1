"""The workspace walk and file reading against hostile trees: symbolic link loops and links out
of the workspace, FIFOs, devices and sockets, files named like options, pathological ignore
files, very deep and very wide trees.  Nothing hangs, nothing outside the folders searched is
read, and whatever is skipped is named: on stderr by the CLI (which exits as grep does), in
window/logMessage by the language server.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from conftest import REPO
from pygls.lsp.client import LanguageClient
from test_security import language_server

from bblfsh_lsp import ignore_rules
from bblfsh_lsp.files import SourceError, read_source, walk
from bblfsh_lsp.ignore_rules import MatchBudget, TooSlow, parse_rules

FUNCTION = "def {name}():\n    pass\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def walked(*paths: Path | str, wanted: Callable[[str], bool] = lambda _path: True) -> tuple[list[str], list[str]]:
    """What a walk yields, and what it reports."""
    reports: list[str] = []
    files = list(walk([str(path) for path in paths], wanted=wanted, report=reports.append))
    return files, reports


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", *args], cwd=cwd, check=False,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})


# --- reading never blocks --------------------------------------------------------------------------


def read_within(path: Path | str, seconds: float = 5.0) -> str:
    """read_source's message for a file that cannot be read; fails (and unblocks the reader,
    by opening the FIFO for writing) if reading took longer than `seconds`."""
    outcome: list[str] = []
    reader = threading.Thread(target=lambda: outcome.append(_read_error(path)), daemon=True)
    reader.start()
    reader.join(seconds)
    if reader.is_alive():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail(f"reading {path} blocked for more than {seconds} s")
    assert len(outcome) == 1, "read_source raised something else than SourceError (see the thread's traceback)"
    return outcome[0]


def _read_error(path: Path | str) -> str:
    try:
        read_source(path)
    except SourceError as exc:
        return str(exc)
    return "read"


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path):
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    assert read_within(fifo) == f"{fifo}: not a regular file (a FIFO)"


def test_devices_and_sockets_are_refused(tmp_path: Path):
    assert read_within("/dev/zero") == "/dev/zero: not a regular file (a character device)"
    path = tmp_path / "listening.py"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert read_within(path) == f"{path}: not a regular file (a socket)"
    assert read_within(tmp_path) == f"{tmp_path}: not a regular file (a directory)"


def test_a_regular_file_through_a_link_is_read(tmp_path: Path):
    target = write(tmp_path / "real.py", FUNCTION.format(name="real"))
    (tmp_path / "link.py").symlink_to(target)
    assert read_source(tmp_path / "link.py") == FUNCTION.format(name="real")


# --- the walk --------------------------------------------------------------------------------------------


def test_a_symlink_loop_is_named_and_the_walk_goes_on(tmp_path: Path):
    write(tmp_path / "ok.py", FUNCTION.format(name="ok"))
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "up").symlink_to("..")  # a link to a folder: not followed
    (tmp_path / "dangling.py").symlink_to("nowhere.py")
    files, reports = walked(tmp_path)
    assert files == [str(tmp_path / "ok.py")]
    assert reports == [
        f"{tmp_path / 'a'}: a broken symbolic link (Too many levels of symbolic links)",
        f"{tmp_path / 'b'}: a broken symbolic link (Too many levels of symbolic links)",
        f"{tmp_path / 'dangling.py'}: a broken symbolic link (No such file or directory)",
    ]


def test_links_out_of_the_folders_searched_are_not_followed(tmp_path: Path):
    outside = write(tmp_path / "outside" / "secret.py", FUNCTION.format(name="secret"))
    workspace = tmp_path / "workspace"
    inside = write(workspace / "lib" / "inside.py", FUNCTION.format(name="inside"))
    (workspace / "secret.py").symlink_to(outside)
    (workspace / "passwd.py").symlink_to("/etc/passwd")
    (workspace / "alias.py").symlink_to(inside)  # inside the workspace: read
    files, reports = walked(workspace)
    assert files == [str(workspace / "alias.py"), str(inside)]
    assert reports == [f"{workspace / 'passwd.py'}: a symbolic link to /etc/passwd, outside the folders searched",
                       f"{workspace / 'secret.py'}: a symbolic link to {outside}, outside the folders searched"]
    # Named together, two folders are one search: a link from one to the other is followed.
    files, reports = walked(workspace, outside.parent)
    assert str(workspace / "secret.py") in files and len(reports) == 1


def test_fifos_and_sockets_in_a_tree_are_named_not_read(tmp_path: Path):
    os.mkfifo(tmp_path / "fifo.py")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock.py"))
        files, reports = walked(tmp_path)
    assert files == []
    assert reports == [f"{tmp_path / 'fifo.py'}: not a regular file (a FIFO)",
                       f"{tmp_path / 'sock.py'}: not a regular file (a socket)"]


def test_what_is_not_wanted_is_skipped_quietly(tmp_path: Path):
    os.mkfifo(tmp_path / "fifo.png")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    write(tmp_path / "code.py", "")
    files, reports = walked(tmp_path, wanted=lambda path: path.endswith(".py"))
    assert (files, reports) == ([str(tmp_path / "code.py")], [])


def test_an_environment_is_skipped_because_it_is_one_not_by_its_name(tmp_path: Path):
    """CPython's own `venv` package is source; a virtual environment is a folder with a pyvenv.cfg,
    whatever its name; the walk says what it skipped and why."""
    write(tmp_path / "Lib" / "venv" / "__init__.py", FUNCTION.format(name="create"))
    write(tmp_path / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / "env" / "lib" / "site.py", FUNCTION.format(name="installed"))
    write(tmp_path / "conda" / "conda-meta" / "history", "")
    write(tmp_path / "conda" / "lib" / "pkg.py", FUNCTION.format(name="installed"))
    write(tmp_path / "node_modules" / "x" / "index.js", "function installed() {}\n")
    write(tmp_path / ".gitignore", "build/\n*.gen.py\n")
    write(tmp_path / "build" / "out.py", FUNCTION.format(name="built"))
    write(tmp_path / "api.gen.py", FUNCTION.format(name="generated"))
    told: list[str] = []
    files = list(walk([str(tmp_path)], skipped=told.append))
    assert [Path(file).relative_to(tmp_path).as_posix() for file in files] == [".gitignore", "Lib/venv/__init__.py"]
    reasons = {Path(message.split(": ", 1)[0]).relative_to(tmp_path).as_posix(): message.split(": ", 1)[1]
               for message in told}
    assert reasons == {
        "api.gen.py": "excluded by an ignore file (.gitignore, .ignore)",
        "build": "excluded by an ignore file (.gitignore, .ignore)",
        "conda": "a conda environment (conda-meta)",
        "env": "a Python virtual environment (pyvenv.cfg)",
        "node_modules": "a version-control, package or cache folder",
    }
    searched = cli("query", "--nodes", "--verbose", "//uast:FunctionGroup", ".", cwd=tmp_path)
    assert searched.stdout.split()[-1] == "create", searched.stdout
    assert "skipped env: a Python virtual environment (pyvenv.cfg)" in searched.stderr
    assert "skipped build: excluded by an ignore file" in searched.stderr
    quiet = cli("query", "--nodes", "//uast:FunctionGroup", ".", cwd=tmp_path)
    assert quiet.stderr == "" and quiet.stdout == searched.stdout


def test_a_folder_that_cannot_be_listed_is_named(tmp_path: Path):
    """Walked in a process of its own, which as root gives up the capabilities that read any folder."""
    without_override: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root lists a folder whatever its permissions, and setpriv is not installed")
        without_override = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    locked = tmp_path / "locked"
    write(locked / "x.py", "")
    locked.chmod(0)
    program = ("import sys; from bblfsh_lsp.files import walk; "
               "print(list(walk([sys.argv[1]], report=lambda message: print(message))))")
    try:
        result = subprocess.run([*without_override, sys.executable, "-I", "-c", program, str(tmp_path)], check=False,
                                capture_output=True, text=True, timeout=60)
    finally:
        locked.chmod(0o755)
    assert result.stdout.splitlines() == [f"{locked}: cannot list this folder (Permission denied)", "[]"], result.stderr


def test_a_very_deep_tree_is_walked_without_recursion(tmp_path: Path):
    deep = tmp_path.joinpath(*["d"] * 1500)  # deeper than Python's recursion limit
    write(deep / "bottom.py", FUNCTION.format(name="bottom"))
    files, reports = walked(tmp_path)
    assert files == [str(deep / "bottom.py")] and reports == []


def test_a_very_wide_folder_is_walked_in_order(tmp_path: Path):
    for number in range(20_000):
        (tmp_path / f"f{number:05}.py").touch()
    started = time.perf_counter()
    files, _ = walked(tmp_path)
    assert files == [str(tmp_path / f"f{number:05}.py") for number in range(20_000)]
    assert time.perf_counter() - started < 10


def test_file_names_like_options_are_paths(tmp_path: Path):
    write(tmp_path / "--version.py", FUNCTION.format(name="dashed"))
    write(tmp_path / "-rf.py", FUNCTION.format(name="rf"))
    walked_dir = cli("query", "--nodes", "//uast:FunctionGroup", ".", cwd=tmp_path)
    assert walked_dir.returncode == 0, walked_dir.stderr
    assert sorted(walked_dir.stdout.splitlines()) == ["--version.py:1:5: uast:FunctionGroup dashed",
                                                      "-rf.py:1:5: uast:FunctionGroup rf"]
    named = cli("query", "--nodes", "//uast:FunctionGroup", "--", "--version.py", "-rf.py", cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    assert named.stdout.splitlines() == ["--version.py:1:5: uast:FunctionGroup dashed",
                                         "-rf.py:1:5: uast:FunctionGroup rf"]


# --- ignore files ------------------------------------------------------------------------------------


def test_ignore_rules_are_git_s(tmp_path: Path):
    """The walk excludes what git excludes, on patterns of every kind (anchored, `**` at the
    start, middle and end, negation, folders only, escapes, brackets, nested files)."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    for name in ("a/b/c/f.py", "a/b/g.py", "a/x.py", "d/a/b/h.py", "e/build/i.py", "build/j.py", "x/y/z/k.py",
                 "x/y/z/k.pyc", "top.py", "sp ace.py", "#hash.py", "!bang.py", "br[a].py", "a/b/c/deep.log",
                 "keep.log", "doc/x.md", "doc/sub/y.md", "q1.txt", "qq.txt", "n5.py", "nx.py", "foo/bar/baz.py",
                 "foo/baz.py", "lib/keep/me.py", "lib/drop/me.py"):
        write(tmp_path / name, "x\n")
    write(tmp_path / ".gitignore", "*.log\n!keep.log\na/**/c\n/build/\n**/z/*.pyc\nd/**/b\n\\#hash.py\n\\!bang.py\n"
                                   "br\\[a\\].py\nsp\\ ace.py\ndoc/**\nq?.txt\nn[0-9].py\nfoo/**/baz.py\nlib/*\n"
                                   "!lib/keep\n# a comment\n\n")
    write(tmp_path / "x" / "y" / ".gitignore", "!*.pyc\n")
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True)
    listed = subprocess.run([git, "ls-files", "--others", "--exclude-standard"], cwd=tmp_path, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    files, reports = walked(tmp_path)
    ours = [os.path.relpath(path, tmp_path) for path in files]
    assert sorted(ours) == sorted(listed) and reports == []
    assert "keep.log" in ours and "lib/keep/me.py" in ours and "x/y/z/k.pyc" in ours  # re-included


def test_hostile_ignore_patterns_cannot_hang_the_walk(tmp_path: Path):
    """Patterns that make pathspec's regular expressions backtrack for minutes or hours, over
    a deep tree of long names: the walk takes seconds."""
    name = "a" * 200
    deep = tmp_path.joinpath(*["a"] * 150)
    write(deep / f"{name}.py", "")
    write(tmp_path / f"{name}c.py", "")
    write(tmp_path / ".gitignore", "*a" * 30 + "b\n" + "a/**/" * 7 + "b\n" + "**/" + "*a*a/" * 10 + "b\n")
    started = time.perf_counter()
    files, reports = walked(tmp_path, wanted=lambda path: path.endswith(".py"))
    assert time.perf_counter() - started < 5
    assert sorted(files) == sorted([str(deep / f"{name}.py"), str(tmp_path / f"{name}c.py")]) and reports == []


def test_ignore_files_past_their_bounds_are_named(tmp_path: Path):
    write(tmp_path / "big" / ".gitignore", "x\n" * (ignore_rules.MAX_FILE_BYTES // 2 + 1))
    write(tmp_path / "many" / ".gitignore", "".join(f"p{n}\n" for n in range(ignore_rules.MAX_RULES + 5)))
    write(tmp_path / "long" / ".gitignore", "x" * (ignore_rules.MAX_PATTERN_LENGTH + 1) + "\nfine\n")
    write(tmp_path / "long" / "fine", "")
    os.mkfifo(tmp_path / ".ignore")  # reading it must not block either
    files, reports = walked(tmp_path, wanted=lambda path: not os.path.basename(path).startswith("."))
    assert str(tmp_path / "long" / "fine") not in files  # the rest of that file applies
    assert reports == [
        f"{tmp_path / '.ignore'}: not a regular file (a FIFO); its patterns are not applied",
        (f"{tmp_path / 'big' / '.gitignore'}: file too large ({ignore_rules.MAX_FILE_BYTES + 2:,} bytes; the limit "
         f"is {ignore_rules.MAX_FILE_BYTES:,}); its patterns are not applied"),
        (f"{tmp_path / 'long' / '.gitignore'}:1: a pattern longer than {ignore_rules.MAX_PATTERN_LENGTH:,} "
         "characters; not applied"),
        (f"{tmp_path / 'many' / '.gitignore'}: more than {ignore_rules.MAX_RULES:,} patterns; those from line "
         f"{ignore_rules.MAX_RULES + 1} on are not applied"),
    ]


def test_matching_stops_when_the_walk_s_time_budget_is_spent():
    rules = parse_rules("".join("a/**/" * 7 + f"b{n}\n" for n in range(2000)), "deep/.gitignore")
    budget = MatchBudget(seconds_left=0.3)
    started = time.perf_counter()
    with pytest.raises(TooSlow, match=r"deep/\.gitignore: matching the ignore files' patterns took more than"):
        rules.decision(("a/" * 1500 + "c").split("/"), False, budget)
    assert time.perf_counter() - started < 1.5 and budget.spent


# --- the command line -------------------------------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A tree with one good file and every kind of file that cannot be searched."""
    write(tmp_path / "good.py", FUNCTION.format(name="good"))
    (tmp_path / "binary.py").write_bytes(b"def b():\x00 pass\n")
    (tmp_path / "latin1.py").write_bytes(b"x = '\xe9t\xe9'\n")
    write(tmp_path / "huge.py", FUNCTION.format(name="h") * 300_000)
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "passwd.py").symlink_to("/etc/passwd")
    write(tmp_path / "notes.txt", "prose\n")
    return tmp_path


def test_the_cli_names_every_file_it_skips_while_walking(mixed: Path):
    result = cli("query", "--nodes", "//uast:FunctionGroup", ".", cwd=mixed)
    assert result.stdout.splitlines() == ["good.py:1:5: uast:FunctionGroup good"]
    assert sorted(result.stderr.splitlines()) == [
        "binary.py: binary file (contains NUL bytes)",
        "fifo.py: not a regular file (a FIFO)",
        "huge.py: file too large (5,400,000 bytes; the limit is 4,194,304)",
        "latin1.py: not UTF-8 text (byte 0xe9 at offset 5, line 1)",
        "loop: a broken symbolic link (Too many levels of symbolic links)",
        "passwd.py: a symbolic link to /etc/passwd, outside the folders searched",
    ]
    assert result.returncode == 0  # found while walking, they are skipped, as grep skips binary files


@pytest.mark.parametrize("bad", ["missing.py", "binary.py", "fifo.py", "loop", "huge.py"])
def test_a_named_file_that_cannot_be_searched_exits_2_even_with_matches(mixed: Path, bad: str):
    result = cli("query", "--nodes", "//uast:FunctionGroup", "good.py", bad, cwd=mixed)
    assert result.stdout.splitlines() == ["good.py:1:5: uast:FunctionGroup good"]
    assert result.stderr.startswith(f"{bad}: ") and "Traceback" not in result.stderr
    assert result.returncode == 2


# --- the language server ---------------------------------------------------------------------------------


@asynccontextmanager
async def server_on(workspace: Path) -> AsyncIterator[tuple[LanguageClient, list[str]]]:
    """The language server (this checkout's), on a workspace folder; and the log messages it sends."""
    logged: list[str] = []
    command = [sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "serve"]
    async with language_server(command, REPO, os.environ, workspace, logged.append) as client:
        yield client, logged


async def test_the_server_s_workspace_search_skips_and_tells_why(mixed: Path, tmp_path_factory: pytest.TempPathFactory):
    outside = write(tmp_path_factory.mktemp("outside") / "secret.py", FUNCTION.format(name="secret"))
    (mixed / "secret.py").symlink_to(outside)
    for number in range(3):
        (mixed / f"dangling{number}.py").symlink_to(f"nowhere{number}.py")
    async with server_on(mixed) as (client, logged):
        async with asyncio.timeout(60):
            found = await client.protocol.send_request_async("bblfsh/query", {"query": "//uast:FunctionGroup"})
    assert [match["label"] for match in found] == ["good"]  # not secret(), outside the workspace
    skipped = [message for message in logged if message.startswith("structural search skipped")]
    assert len(skipped) == 6, logged  # five named, then a count
    assert all(str(mixed) in message for message in skipped[:5])
    assert skipped[5] == "structural search skipped 5 more files that could not be searched"


async def test_parsing_a_fifo_from_the_server_answers_at_once(tmp_path: Path):
    os.mkfifo(tmp_path / "fifo.py")
    async with server_on(tmp_path) as (client, _logged):
        with pytest.raises(Exception, match="not a regular file \\(a FIFO\\)"):
            async with asyncio.timeout(10):
                await client.protocol.send_request_async("bblfsh/parse", {
                    "textDocument": {"uri": (tmp_path / "fifo.py").as_uri()}, "mode": "semantic"})
