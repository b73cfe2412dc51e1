"""Reading the user's files safely, and walking trees of them as grep would.

Whatever a tree holds is taken as hostile: reading never blocks (a FIFO, a device), a walk
never leaves the folders it was given through a symbolic link, never loops, and never hangs
on an ignore file's patterns (ignore_rules.py); what it cannot read it names in a message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from bblfsh_lsp.ignore_rules import MAX_FILE_BYTES as MAX_IGNORE_FILE_BYTES
from bblfsh_lsp.ignore_rules import IgnoreRules, MatchBudget, TooSlow, parse_rules

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
# Folders that are never source, by their name: version control, installed packages, caches.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "_darcs", ".jj",
    "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".idea", ".vscode-test",
})
# Folders that are installed environments, by what they hold, not by their name: a folder
# named `venv` may be source (CPython's own venv package), a virtual environment may have any name.
ENVIRONMENT_MARKERS = (("pyvenv.cfg", "a Python virtual environment"), ("conda-meta", "a conda environment"))
# Read in this order: a pattern of .ignore overrides one of .gitignore (as ripgrep does).
IGNORE_FILES = (".gitignore", ".ignore")

# A message naming a path that a walk skipped, and why ("path: reason").
Report = Callable[[str], None]
# Ignore files on the way down: (the folder they are in, their rules), outermost first.
Ignores = tuple[tuple[str, IgnoreRules], ...]


class SourceError(Exception):
    """A file that cannot be given to a driver; the message names the file."""


class SourceTooLarge(SourceError):
    """A source over the size limit."""


def check_size(size: int, name: str, max_bytes: int) -> None:
    """The one size limit on sources, for files read from disk and documents open in an editor."""
    if size > max_bytes:
        raise SourceTooLarge(f"{name}: file too large ({size:,} bytes; the limit is {max_bytes:,})")


def decode_source(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Text of a source file, or SourceError when it is too large, binary or not UTF-8."""
    check_size(len(data), name, max_bytes)
    if b"\0" in data[:8192]:
        raise SourceError(f"{name}: binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line})"
        ) from None


def file_kind(mode: int) -> str:
    """What a file is, for a message about one that is not a regular file."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """Up to max_bytes + 1 bytes of a regular file; SourceError naming it for anything else.

    Never blocks: a FIFO, a device or a socket is refused from its status before it is
    opened (opening a FIFO with no writer waits for one for ever; opening a device can act
    on it), and the file is opened non-blocking and checked again once open (it may have
    been replaced in between)."""
    name = os.fspath(path)
    try:
        mode = os.stat(name).st_mode
        if not stat.S_ISREG(mode):
            raise SourceError(f"{name}: not a regular file ({file_kind(mode)})")
        descriptor = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        with open(descriptor, "rb", closefd=True) as handle:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                raise SourceError(f"{name}: not a regular file ({file_kind(status.st_mode)})")
            check_size(status.st_size, name, max_bytes)  # before reading it
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"{name}: cannot read ({exc.strerror or exc})") from None


def read_source(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of a source file; SourceError naming it when it cannot be read, is not a
    regular file, is too large, binary or not UTF-8."""
    return decode_source(read_regular_file(path, max_bytes), os.fspath(path), max_bytes)


def _everything(_path: str) -> bool:
    return True


def _nowhere(_message: str) -> None:
    pass


def walk(paths: Iterable[str], wanted: Callable[[str], bool] = _everything, report: Report = _nowhere,
         skipped: Report = _nowhere) -> Iterator[str]:
    """Files under the given paths, in a stable order.

    A path that is not a directory is always yielded: it was named, and whoever reads it says
    if it cannot be.  Below a directory, VCS and tool folders, installed environments (a
    virtual environment: a folder with a pyvenv.cfg, whatever its name) and whatever a
    .gitignore or .ignore on the way down excludes are skipped, each told to `skipped` ("path:
    why"), and files `wanted` refuses are skipped quietly.
    A wanted file that cannot be read is reported (`report("path: why")`) instead of yielded:
    a symbolic link that is broken, loops, or leads out of the directories given (a search
    must not read files elsewhere through links), something that is not a regular file (a
    FIFO would block its reader).  So is a folder that cannot be listed.  Links to folders
    are not followed (no loops, no file twice).
    """
    given = list(paths)
    roots = [os.path.realpath(path) for path in given if os.path.isdir(path)]
    for path in given:
        if os.path.isdir(path):
            yield from _walk_tree(path, roots, wanted, report, skipped)
        else:
            yield path


def _walk_tree(top: str, roots: Sequence[str], wanted: Callable[[str], bool], report: Report,
               skipped: Report) -> Iterator[str]:
    """The files below one directory, depth first in name order: with a stack of its own
    rather than recursion, so that no depth of folders is too deep."""
    stack: list[tuple[str, Ignores, Iterator[os.DirEntry[str]]]] = []
    budget = MatchBudget()

    def enter(folder: str, ignores: Ignores) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            report(f"{folder}: cannot list this folder ({exc.strerror or exc})")
            return
        rules = _ignore_rules(folder, {entry.name for entry in entries}, report)
        stack.append((folder, (*ignores, (folder, rules)) if rules else ignores, iter(entries)))

    enter(str(Path(top)), ())
    while stack:
        folder, ignores, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = entry.name if folder == os.curdir else os.path.join(folder, entry.name)
        if _is_real_dir(entry):
            why = _why_skipped_folder(entry.name, path)
            if why is None and _ignored(path, True, ignores, budget, report):
                why = "excluded by an ignore file (.gitignore, .ignore)"
            if why is None:
                enter(path, ignores)
            else:
                skipped(f"{path}: {why}")
            continue
        if _ignored(path, False, ignores, budget, report):
            skipped(f"{path}: excluded by an ignore file (.gitignore, .ignore)")
            continue
        if not wanted(path):
            continue
        problem = _why_unreadable(entry, roots)
        if problem is None:
            yield path
        elif problem:
            report(f"{path}: {problem}")


def _why_skipped_folder(name: str, path: str) -> str | None:
    if name in SKIPPED_DIRS:
        return "a version-control, package or cache folder"
    for marker, what in ENVIRONMENT_MARKERS:
        if os.path.lexists(os.path.join(path, marker)):
            return f"{what} ({marker})"
    return None


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _why_unreadable(entry: os.DirEntry[str], roots: Sequence[str]) -> str | None:
    """None for a regular file to read; "" for what is skipped quietly (a link to a folder);
    else why the entry cannot be read."""
    try:
        if entry.is_symlink():
            return _why_link_unreadable(entry.path, roots)
        if entry.is_file(follow_symlinks=False):
            return None
        return f"not a regular file ({file_kind(entry.stat(follow_symlinks=False).st_mode)})"
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"


def _why_link_unreadable(path: str, roots: Sequence[str]) -> str | None:
    try:
        mode = os.stat(path).st_mode  # follows the link: a loop or a missing target fails here
    except OSError as exc:
        return f"a broken symbolic link ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return ""
    target = os.path.realpath(path)
    if not any(inside(target, root) for root in roots):
        return f"a symbolic link to {target}, outside the folders searched"
    if not stat.S_ISREG(mode):
        return f"a symbolic link to {file_kind(mode)}"
    return None


def inside(path: str, folder: str) -> bool:
    """Whether a path is `folder` or below it (both absolute and normalised; a relative path,
    such as an editor's URI that names no file, is in no folder)."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # one absolute and one relative
        return False


def _ignore_rules(folder: str, names: set[str], report: Report) -> IgnoreRules | None:
    """The rules of the folder's ignore files, if it has any; what cannot be applied is reported."""
    read: dict[str, str] = {}  # path -> text
    for name in IGNORE_FILES:
        if name not in names:
            continue
        path = os.path.join(folder, name)
        try:
            data = read_regular_file(path, MAX_IGNORE_FILE_BYTES)
        except SourceError as exc:  # not a regular file, too large (read_regular_file checks its size)
            report(f"{exc}; its patterns are not applied")
            continue
        read[path] = data.decode("utf-8", errors="replace")
    if not read:
        return None
    rules = parse_rules("\n".join(read.values()), " and ".join(read))
    for problem in rules.problems:
        report(problem)
    return rules if rules.rules else None


def _ignored(path: str, is_dir: bool, ignores: Ignores, budget: MatchBudget, report: Report) -> bool:
    """Whether an ignore file on the way down excludes the path: the deepest one that speaks
    of it decides (git's precedence).  Past the walk's matching budget, none does."""
    if budget.spent:
        return False
    for base, rules in reversed(ignores):
        relative = path if base == os.curdir else path[len(base.rstrip(os.sep)) + 1:]
        try:
            decision = rules.decision(relative.split(os.sep), is_dir, budget)
        except TooSlow as exc:
            report(str(exc))
            return False
        if decision is not None:
            return decision
    return False
