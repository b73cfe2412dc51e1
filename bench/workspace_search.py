"""Benchmark: structural search over a whole tree of files, bblfsh-lsp's command line against
ast-grep's, each a whole process.

Each row is a command run as a child process, its output to a pipe that is read whole (and
discarded once its matches are counted), its exit status checked; its wall time covers everything
from the fork to the exit (the interpreter's start, the walk, the drivers' start, every parse and
query, the printing).  bblfsh-lsp runs as `bblfsh-lsp --runtime process query --json --timeout 0
XPATH PATH` (--runtime RUNTIME to change; the drivers as local processes, no per-file query time
limit, so that a loaded machine cannot drop a file's matches), ast-grep (the PyPI package
ast-grep-cli, pinned in constraints.txt; `ast-grep`, not `sg`, which is often another program)
with `--json=stream`: both print one JSON object per match, so that the matches of both are
counted, per file, from what each printed.  The groups (--only), each against a reference that
is ast-grep's row marked (reference):

  stdlib      every function in CPython's standard library: the .py files of the running
              Python's stdlib (Path(os.__file__).parent) without test/ and site-packages/ (3.11:
              970 files, 14.4 MB), copied once to a cache folder (--cache) so that both tools walk
              exactly those files.  ast-grep scan --inline-rules with `kind: function_definition`
              (reference), ast-grep run --pattern 'def $F($$$): $$$' (the issue's pattern: it
              leaves out `async def` and functions with a return annotation, so its count is
              not compared), and bblfsh-lsp '//uast:FunctionGroup';
  isinstance  calls of isinstance in the same tree: ast-grep run --pattern 'isinstance($$$)'
              (reference) and bblfsh-lsp "//python:Call[func/uast:Identifier[@Name='isinstance']]"
              (a call whose callee is the bare name; neither matches builtins.isinstance(...));
  js          every function in JavaScript from npm: the packages of NPM_PACKAGES (versions
              pinned; their dependencies as npm resolved them then) installed once with
              `npm install --ignore-scripts` into the cache folder, and their .js, .mjs and .cjs
              files (hidden folders and nested node_modules left out) copied to a tree beside
              it: ~1,060 files, 6.8 MB.  ast-grep scan with a kind rule, any of JS_KINDS
              (reference); bblfsh-lsp "//*[@role='Function' and @role='Declaration']", the same
              set of functions through the JavaScript driver (compared); bblfsh-lsp
              '//uast:FunctionGroup', the issue's query (named functions only: declarations and
              functions bound to a variable or a field; not compared);
  small       one ~10 KB file: the stdlib's top-level module closest to 10,240 bytes; functions,
              as in stdlib (the kind rule, reference, and bblfsh-lsp's FunctionGroup).

The checkout's modules are compiled to bytecode first, as an installed package's are.

Reported per row: the median seconds of --n turns and its ratio to the group's reference, the
files searched and the matches.  The rows are run in turns (one of each, every group, per round,
after a warm-up round), so that the machine's noise falls on all of them alike.  The matches of
rows whose queries are equivalent are compared file by file: a file where they differ is listed
with both counts and what bblfsh-lsp said about it on stderr (a file it could not parse); a
difference that nothing explains is reported as such and the exit status is 1.  Which driver
answered each language (bblfsh-lsp languages --json) is reported: without the JavaScript driver
prepared (`bblfsh-lsp driver install javascript --runtime process`) the universal driver
(tree-sitter) answers, whose roles differ: the js counts are then reported, not compared.

Run: python bench/workspace_search.py [--n 3] [--only stdlib,isinstance,js,small] [--quick]
  --quick: a few stdlib files and the checkout's JavaScript files, one round (a smoke test, not a
  figure)
"""

from __future__ import annotations

import argparse
import collections
import compileall
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GROUPS = ("stdlib", "isinstance", "js", "small")
STDLIB = Path(os.__file__).parent
STDLIB_LEFT_OUT = ("test", "site-packages")  # top-level folders of the stdlib not searched
SMALL_SIZE = 10_240
SHOWN_FILES = 20  # files listed where the matches of equivalent queries differ
# npm packages of the js tree, pinned: changing them makes a new tree (its folder is named by
# their hash).  Their dependencies are whatever npm resolved on the first install.
NPM_PACKAGES = ("express@4.21.2", "moment@2.30.1", "async@3.2.6", "commander@12.1.0", "yargs@17.7.2",
                "uuid@9.0.1", "semver@7.6.3", "acorn@8.14.0", "esprima@4.0.1")
JS_SUFFIXES = (".js", ".mjs", ".cjs")
# tree-sitter-javascript's kinds of a function: what Babel's nodes with the roles Function and
# Declaration are (FunctionDeclaration, FunctionExpression, ArrowFunctionExpression, ObjectMethod,
# ClassMethod, ClassPrivateMethod).
JS_KINDS = ("function_declaration", "generator_function_declaration", "function_expression",
            "generator_function", "arrow_function", "method_definition")
# --quick: stdlib modules that each have functions and isinstance calls, and the checkout's
# JavaScript files.
QUICK_STDLIB = ("fnmatch.py", "glob.py", "shlex.py", "copy.py")
QUICK_JS = ("driver_runtime/drivers/javascript/native/parse.js", "tests/universal_samples/javascript/inventory.js",
            "editors/vscode/test/e2e.mjs")

FUNCTIONS = "//uast:FunctionGroup"
ISINSTANCE = "//python:Call[func/uast:Identifier[@Name='isinstance']]"
JS_FUNCTIONS = "//*[@role='Function' and @role='Declaration']"
PY_PATTERN = "def $F($$$): $$$"


def kind_rule(language: str, kinds: Sequence[str]) -> str:
    """An ast-grep rule (YAML) matching nodes of any of `kinds`."""
    if len(kinds) == 1:
        return f"id: bench\nlanguage: {language}\nrule:\n  kind: {kinds[0]}\n"
    return f"id: bench\nlanguage: {language}\nrule:\n  any:\n" + "".join(f"    - kind: {kind}\n" for kind in kinds)


# --- the trees -------------------------------------------------------------------------------------


@attrs.frozen
class Tree:
    """What a group searches: a folder (or one file) and the files in it."""

    path: Path
    folder: bool
    files: int
    size: int  # bytes
    what: str

    @classmethod
    def of(cls, path: Path, what: str) -> Tree:
        files = [path] if path.is_file() else [file for file in path.rglob("*") if file.is_file()]
        return cls(path, path.is_dir(), len(files), sum(file.stat().st_size for file in files), what)

    def describe(self) -> str:
        size = f"{self.size / 1e6:.1f} MB" if self.size >= 1e6 else f"{self.size / 1e3:.1f} KB"
        return f"{self.what} ({self.path}): {self.files:,} file{'s' if self.files != 1 else ''}, {size}"


def stdlib_sources() -> list[Path]:
    """The stdlib's .py files, test/ and site-packages/ left out, relative to it."""
    files = (path.relative_to(STDLIB) for path in STDLIB.rglob("*.py") if path.is_file() and not path.is_symlink())
    return sorted(path for path in files if path.parts[0] not in STDLIB_LEFT_OUT)


def copy_files(source: Path, files: Iterable[Path], target: Path) -> None:
    """Copy source/FILE to target/FILE for each of `files` (relative), into a scratch folder
    renamed to `target` at the end: a tree that exists is whole."""
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for file in files:
            (scratch / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / file, scratch / file)
        if target.exists():
            shutil.rmtree(target)
        os.replace(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def stdlib_tree(cache: Path) -> Tree:
    """The stdlib's .py files (without test/ and site-packages/), copied once to the cache."""
    files = stdlib_sources()
    version = ".".join(map(str, sys.version_info[:3]))
    target = cache / f"stdlib-{sys.implementation.name}-{version}"
    cached = sorted(path.relative_to(target) for path in target.rglob("*") if path.is_file()) if target.is_dir() else []
    if cached != files:
        print(f"copying {len(files)} files of {STDLIB} to {target}", file=sys.stderr)
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_files(STDLIB, files, target)
    return Tree.of(target, f"CPython {version}'s stdlib without {'/, '.join(STDLIB_LEFT_OUT)}/ (.py files)")


def js_sources(modules: Path) -> list[Path]:
    """The JavaScript files of the installed packages, relative to node_modules: hidden folders
    (.bin) and nested node_modules left out."""
    found = []
    for path in modules.rglob("*"):
        relative = path.relative_to(modules)
        if (path.suffix in JS_SUFFIXES and path.is_file() and not path.is_symlink()
                and not any(part.startswith(".") or part == "node_modules" for part in relative.parts)):
            found.append(relative)
    return sorted(found)


def js_tree(cache: Path) -> Tree:
    """NPM_PACKAGES installed once (npm, no scripts) and their JavaScript files copied to a tree
    whose path has no node_modules in it (bblfsh-lsp's walk skips folders of that name)."""
    key = hashlib.sha256(" ".join(NPM_PACKAGES).encode()).hexdigest()[:12]
    home = cache / f"js-{key}"
    target = home / "tree"
    if not target.is_dir():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is not installed: the js group installs its packages with it (or --only without js)")
        install = home / "npm"
        install.mkdir(parents=True, exist_ok=True)
        (install / "package.json").write_text('{"private": true}\n')
        print(f"installing {' '.join(NPM_PACKAGES)} into {install}", file=sys.stderr)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=dev", *NPM_PACKAGES],
                       cwd=install, check=True, timeout=600, stdout=subprocess.DEVNULL)
        copy_files(install / "node_modules", js_sources(install / "node_modules"), target)
    return Tree.of(target, f"npm: {', '.join(NPM_PACKAGES)} and their dependencies (.js, .mjs, .cjs files)")


def small_file() -> Path:
    """The stdlib's top-level module closest to SMALL_SIZE bytes (by name on a tie)."""
    modules = [path for path in STDLIB.glob("*.py") if path.is_file()]
    return min(modules, key=lambda path: (abs(path.stat().st_size - SMALL_SIZE), path.name))


def quick_trees(scratch: Path) -> dict[str, Tree]:
    """--quick: a few stdlib modules and the checkout's JavaScript files, in a scratch folder."""
    stdlib = [Path(name) for name in QUICK_STDLIB if (STDLIB / name).is_file()]
    javascript = [Path(name) for name in QUICK_JS if (REPO / name).is_file()]
    if not stdlib or not javascript:
        sys.exit(f"--quick: none of {QUICK_STDLIB} in {STDLIB}, or of {QUICK_JS} in {REPO}")
    copy_files(STDLIB, stdlib, scratch / "stdlib")
    copy_files(REPO, javascript, scratch / "js")
    return {"stdlib": Tree.of(scratch / "stdlib", "a few stdlib modules (--quick)"),
            "js": Tree.of(scratch / "js", "the checkout's JavaScript files (--quick)")}


# --- the rows ---------------------------------------------------------------------------------------


@attrs.frozen
class Row:
    """One command of a group; `tool` tells how its output is read."""

    name: str
    tool: str  # "bblfsh-lsp" or "ast-grep"
    command: tuple[str, ...]
    what: str
    index: str = ""  # bblfsh-lsp's index: "" none (cold), "warm" built, "changed" built then a file edited
    counted: bool = True  # its output is matches (not `bblfsh-lsp index`'s summary)


@attrs.frozen
class Group:
    name: str
    tree: Tree
    language: str
    rows: tuple[Row, ...]  # the first is the reference
    compared: tuple[tuple[str, str], ...] = ()  # (bblfsh-lsp's row, ast-grep's row): equivalent queries
    notes: tuple[str, ...] = ()


@attrs.frozen
class Outcome:
    """What one run printed: the matches per file (paths as the tool printed them, normalised),
    and its standard error."""

    matches: collections.Counter[str]
    stderr: str

    @property
    def total(self) -> int:
        return sum(self.matches.values())


def find_ast_grep(given: str | None) -> str:
    """ast-grep's binary: --ast-grep, else beside this Python (the venv's), else on PATH."""
    candidates = [given] if given else [str(BIN / "ast-grep"), shutil.which("ast-grep")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("ast-grep is not installed: pip install -c constraints.txt ast-grep-cli (in the test extra)")


def bblfsh_command(runtime: str, choices: Sequence[str]) -> list[str]:
    """bblfsh-lsp's console script beside this Python (else `python -m bblfsh_lsp`) and its
    global options."""
    script = BIN / "bblfsh-lsp"
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "bblfsh_lsp"]
    return [*program, "--runtime", runtime, *(option for choice in choices for option in ("--driver", choice))]


def groups(names: Sequence[str], trees: dict[str, Tree], ast_grep: str, bblfsh: list[str]) -> list[Group]:
    def ours(name: str, xpath: str, tree: Tree, what: str, index: str = "") -> Row:
        return Row(name, "bblfsh-lsp", (*bblfsh, "query", "--json", "--timeout", "0", xpath, str(tree.path)),
                   f"query {xpath!r}{what}", index)

    def indexed(name: str, xpath: str, tree: Tree) -> tuple[Row, ...]:
        """The same query with the index: fresh (warm), one file edited since (changed); and
        the index's build from nothing."""
        if not tree.folder:
            return ()
        return (ours(f"{name}:warm", xpath, tree, ", the index fresh", "warm"),
                ours(f"{name}:changed", xpath, tree, ", one file edited since the index", "changed"),
                Row(f"{name}:index", "bblfsh-lsp", (*bblfsh, "index", str(tree.path)), "index, from nothing",
                    "build", counted=False))

    def pattern(name: str, language: str, text: str, tree: Tree) -> Row:
        return Row(name, "ast-grep", (ast_grep, "run", "--lang", language, "--pattern", text, "--json=stream",
                                      str(tree.path)), f"run --pattern {text!r}")

    def kinds(name: str, language: str, kinds: Sequence[str], tree: Tree) -> Row:
        return Row(name, "ast-grep", (ast_grep, "scan", "--inline-rules", kind_rule(language, kinds), "--json=stream",
                                      str(tree.path)), f"scan --inline-rules, kind: {' | '.join(kinds)}")

    made = {}
    if "stdlib" in names:
        tree = trees["stdlib"]
        made["stdlib"] = Group("stdlib", tree, "python", (
            kinds("ast-grep:kind", "python", ["function_definition"], tree),
            pattern("ast-grep:pattern", "python", PY_PATTERN, tree),
            ours("bblfsh-lsp", FUNCTIONS, tree, ", no index (cold)"),
            *indexed("bblfsh-lsp", FUNCTIONS, tree)),
            compared=(("bblfsh-lsp", "ast-grep:kind"), ("bblfsh-lsp:warm", "bblfsh-lsp"),
                      ("bblfsh-lsp:changed", "bblfsh-lsp")),
            notes=("ast-grep:pattern is not compared: the pattern leaves out `async def` and `def f(...) -> T`",))
    if "isinstance" in names:
        tree = trees["stdlib"]
        made["isinstance"] = Group("isinstance", tree, "python", (
            pattern("ast-grep:pattern", "python", "isinstance($$$)", tree),
            ours("bblfsh-lsp", ISINSTANCE, tree, ", no index (cold)"),
            *indexed("bblfsh-lsp", ISINSTANCE, tree)),
            compared=(("bblfsh-lsp", "ast-grep:pattern"), ("bblfsh-lsp:warm", "bblfsh-lsp"),
                      ("bblfsh-lsp:changed", "bblfsh-lsp")))
    if "js" in names:
        tree = trees["js"]
        made["js"] = Group("js", tree, "javascript", (
            kinds("ast-grep:kind", "javascript", JS_KINDS, tree),
            ours("bblfsh-lsp:roles", JS_FUNCTIONS, tree, ", no index (cold)"),
            *indexed("bblfsh-lsp:roles", JS_FUNCTIONS, tree),
            ours("bblfsh-lsp:groups", FUNCTIONS, tree, " (the issue's; named functions only)")),
            compared=(("bblfsh-lsp:roles", "ast-grep:kind"), ("bblfsh-lsp:roles:warm", "bblfsh-lsp:roles"),
                      ("bblfsh-lsp:roles:changed", "bblfsh-lsp:roles")),
            notes=(("bblfsh-lsp:groups is not compared: a FunctionGroup is a named function (a declaration, "
                    "or a function bound to a variable or a field), not a method or an anonymous function"),))
    if "small" in names:
        tree = trees["small"]
        made["small"] = Group("small", tree, "python", (
            kinds("ast-grep:kind", "python", ["function_definition"], tree),
            ours("bblfsh-lsp", FUNCTIONS, tree, "")),
            compared=(("bblfsh-lsp", "ast-grep:kind"),))
    return [made[name] for name in names]


@attrs.frozen
class Indexes:
    """Where bblfsh-lsp's rows keep their indexes (BBLFSH_LSP_INDEX_DIR): none for the cold
    rows, one built before the warm and changed rows run, an empty one for the build."""

    scratch: Path
    bblfsh: tuple[str, ...]

    def environment(self, row: Row, tree: Tree) -> dict[str, str]:
        folder = self.scratch / (row.index or "cold")
        if row.index == "build":
            shutil.rmtree(folder, ignore_errors=True)  # from nothing, every run
        elif row.index in ("warm", "changed"):  # brought up to date, untimed (other rows edit the tree too)
            subprocess.run([*self.bblfsh, "index", str(tree.path)], check=True, capture_output=True,
                           env={**os.environ, "BBLFSH_LSP_INDEX_DIR": str(folder)}, timeout=3600)
            if row.index == "changed":
                edit_one_file(tree)
        folder.mkdir(parents=True, exist_ok=True)
        return {**os.environ, "BBLFSH_LSP_INDEX_DIR": str(folder)}


def edit_one_file(tree: Tree) -> None:
    """Change one file of the tree (its matches stay the same): a comment at its end, another
    each time."""
    target = sorted(path for path in tree.path.rglob("*") if path.is_file() and path.suffix in (".py", ".js"))[0]
    text = target.read_text(encoding="utf-8")
    marker = "# bench edit " if target.suffix == ".py" else "// bench edit "
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith(marker)]
    target.write_text("".join(lines) + f"{marker}{time.time_ns()}\n", encoding="utf-8")


def compile_bytecode() -> None:
    """What `pip install` does for an installed package: the checkout's modules compiled to
    bytecode, which a process started with PYTHONDONTWRITEBYTECODE (or a driver, started with
    -B) would otherwise compile from source at every start."""
    for package in ("bblfsh_lsp", "driver_runtime"):
        compileall.compile_dir(REPO / package, quiet=1)


def run(row: Row, environment: dict[str, str] | None = None) -> tuple[float, Outcome]:
    """Run the row's command: its wall time and what it printed; exit on a failure."""
    started = time.perf_counter()
    done = subprocess.run(row.command, stdin=subprocess.DEVNULL, capture_output=True, timeout=3600, check=False,
                          env=environment)
    seconds = time.perf_counter() - started
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        sys.exit(f"{row.name} exited {done.returncode}: {subprocess.list2cmdline(row.command)}\n{stderr[-4000:]}")
    field = "path" if row.tool == "bblfsh-lsp" else "file"
    matches: collections.Counter[str] = collections.Counter()
    for line in done.stdout.splitlines() if row.counted else []:
        if line.strip():
            matches[os.path.normpath(json.loads(line)[field])] += 1
    if not row.counted:
        matches["output"] = 1
    return seconds, Outcome(matches, stderr)


def drivers(bblfsh: list[str]) -> dict[str, dict]:
    """Which driver parses each language here, as `bblfsh-lsp languages --json` says."""
    out = subprocess.run([*bblfsh, "languages", "--json"], capture_output=True, text=True, check=True, timeout=300)
    entries = (json.loads(line) for line in out.stdout.splitlines() if line.startswith("{"))
    return {entry["language"]: entry for entry in entries}


# --- the report -------------------------------------------------------------------------------------


def compare(group: Group, ours: str, theirs: str, outcomes: dict[str, Outcome], expected: bool) -> bool:
    """Print how the matches of two equivalent rows compare, file by file; False for a
    difference that nothing explains (and that was expected to be none)."""
    mine, other = outcomes[ours], outcomes[theirs]
    if mine.matches == other.matches:
        print(f"  {ours} and {theirs}: equal, {mine.total} matches")
        return True
    files = sorted(set(mine.matches) | set(other.matches))
    differing = [file for file in files if mine.matches[file] != other.matches[file]]
    print(f"  {ours} {mine.total} and {theirs} {other.total} matches: they differ in {len(differing)} files"
          + ("" if expected else f" (not expected to be equal: {group.language} was not parsed by its own driver)"))
    unexplained = 0
    for number, file in enumerate(differing):
        said = [line for line in mine.stderr.splitlines() if line.startswith(f"{file}:")]
        unexplained += not said
        if number == SHOWN_FILES:
            print(f"    ... and {len(differing) - SHOWN_FILES} more files")
        if number >= SHOWN_FILES:
            continue
        shown = os.path.relpath(file, group.tree.path) if group.tree.folder else file
        why = f"bblfsh-lsp said: {said[0]}" if said else "bblfsh-lsp reported no error for it"
        if len(said) > 1:
            why += f" (and {len(said) - 1} more lines)"
        print(f"    {shown}: {ours} {mine.matches[file]}, {theirs} {other.matches[file]}; {why}")
    if unexplained and expected:
        print(f"  UNEXPLAINED: {unexplained} files differ where bblfsh-lsp reported no error")
        return False
    return True


def report(group: Group, samples: dict[str, list[float]], outcomes: dict[str, Outcome], runs: int,
           languages: dict[str, dict]) -> bool:
    driver = languages.get(group.language, {})
    print(f"{group.name}: {group.tree.describe()}")
    print(f"  {group.language} parsed by bblfsh-lsp's {driver.get('driver', '?')} driver "
          f"{driver.get('version', '')} on {driver.get('runtime', '?')} ({driver.get('why', 'unknown')}); "
          f"medians of {runs} runs")
    base = statistics.median(samples[group.rows[0].name])
    print(f"{'what':<18} {'median s':>9} {'ratio':>7} {'files':>6} {'matches':>8}")
    for index, row in enumerate(group.rows):
        median = statistics.median(samples[row.name])
        print(f"{row.name:<18} {median:>9.3f} {median / base:>7.2f} {group.tree.files:>6} "
              f"{outcomes[row.name].total:>8}   {row.what}{' (reference)' if index == 0 else ''}")
    print("counts:")
    own = driver.get("driver") == group.language
    compared = [compare(group, ours, theirs, outcomes, own) for ours, theirs in group.compared]  # all printed
    for note in group.notes:
        print(f"  {note}")
    print()
    return all(compared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="measured runs of each row (default 3; 1 with --quick)")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"the groups, comma-separated (default {','.join(GROUPS)})")
    parser.add_argument("--quick", action="store_true", help="small trees, one run: a smoke test")
    parser.add_argument("--runtime", default="process", help="bblfsh-lsp's --runtime (default process)")
    parser.add_argument("--driver", action="append", default=[], metavar="LANG=CHOICE",
                        help="bblfsh-lsp's --driver (e.g. javascript=universal); repeatable")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                        / "bblfsh-lsp-bench", help="where the trees are kept (default ~/.cache/bblfsh-lsp-bench)")
    parser.add_argument("--ast-grep", help="ast-grep's binary (default: beside this Python, else on PATH)")
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := set(names) - set(GROUPS):
        parser.error(f"--only: unknown groups {', '.join(sorted(unknown))} (known: {', '.join(GROUPS)})")
    names = [name for name in GROUPS if name in names]
    runs = args.n or (1 if args.quick else 3)
    ast_grep = find_ast_grep(args.ast_grep)
    version = subprocess.run([ast_grep, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    if not version.startswith("ast-grep"):
        sys.exit(f"{ast_grep} is not ast-grep: its --version says {version!r}")
    bblfsh = bblfsh_command(args.runtime, args.driver)
    with tempfile.TemporaryDirectory(prefix="bench-workspace-") as scratch:
        trees: dict[str, Tree] = {}
        if args.quick:
            trees.update(quick_trees(Path(scratch)))
        else:
            if {"stdlib", "isinstance"} & set(names):
                trees["stdlib"] = stdlib_tree(args.cache)
            if "js" in names:
                trees["js"] = js_tree(args.cache)
        trees["small"] = Tree.of(small_file(), "the stdlib's module closest to 10 KB")
        measured = groups(names, trees, ast_grep, bblfsh)
        languages = drivers(bblfsh)
        rows = [(group, row) for group in measured for row in group.rows]
        indexes = Indexes(Path(scratch) / "indexes", tuple(bblfsh))
        outcomes: dict[tuple[str, str], Outcome] = {}
        compile_bytecode()
        for group, row in rows:  # the warm-up round: the page cache; the matches
            outcomes[group.name, row.name] = run(row, indexes.environment(row, group.tree))[1]
        samples: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
        for _ in range(runs):
            for group, row in rows:
                seconds, outcome = run(row, indexes.environment(row, group.tree))
                samples[group.name, row.name].append(seconds)
                if outcome.matches != outcomes[group.name, row.name].matches:
                    sys.exit(f"{group.name} {row.name}: {outcome.total} matches, "
                             f"{outcomes[group.name, row.name].total} in the warm-up run")
    options = " ".join(bblfsh[bblfsh.index("--runtime"):])
    print(f"workspace search, whole process: bblfsh-lsp {options} query, {version}; {runs} runs of each, "
          f"in turns, after a warm-up round; {os.cpu_count()} cores")
    print()
    ok = True
    for group in measured:
        for row in group.rows:
            if outcomes[group.name, row.name].total == 0:
                print(f"{group.name} {row.name}: no match (implausible)")
                ok = False
        ok &= report(group, {row.name: samples[group.name, row.name] for row in group.rows},
                     {row.name: outcomes[group.name, row.name] for row in group.rows}, runs, languages)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
