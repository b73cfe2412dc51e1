"""Reading the user's files safely, and walking trees of them as grep would."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
# Folders that are never source: version control and tool caches.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "_darcs", ".jj",
    "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".idea", ".vscode-test",
})


class SourceError(Exception):
    """A file that cannot be given to a driver; the message names the file."""


def decode_source(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Text of a source file, or SourceError when it is too large, binary or not UTF-8."""
    if len(data) > max_bytes:
        raise SourceError(f"{name}: file too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    if b"\0" in data[:8192]:
        raise SourceError(f"{name}: binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line})"
        ) from None


def read_source(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    name = str(path)
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise SourceError(f"{name}: file too large ({size:,} bytes; the limit is {max_bytes:,})")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise SourceError(f"{name}: is a directory") from None
    except OSError as exc:
        raise SourceError(f"{name}: cannot read ({exc.strerror or exc})") from None
    return decode_source(data, name, max_bytes)


def _ignore_spec(folder: Path) -> pathspec.PathSpec | None:
    patterns: list[str] = []
    for name in (".gitignore", ".ignore"):
        try:
            patterns += (folder / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    return pathspec.PathSpec.from_lines("gitwildmatch", patterns) if patterns else None


def walk(paths: Iterable[str]) -> Iterator[str]:
    """Files under the given paths, in a stable order.

    A file named explicitly is always yielded.  Below a directory, VCS and tool folders are
    skipped, and so is whatever a .gitignore or .ignore file on the way down excludes.
    """
    for given in paths:
        if not os.path.isdir(given):
            yield given
            continue
        yield from _walk_dir(Path(given), [])


def _walk_dir(folder: Path, specs: list[tuple[Path, pathspec.PathSpec]]) -> Iterator[str]:
    spec = _ignore_spec(folder)
    if spec is not None:
        specs = [*specs, (folder, spec)]

    def ignored(path: Path, is_dir: bool) -> bool:
        for base, rules in specs:
            relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            if rules.match_file(relative):
                return True
        return False

    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        path = folder / entry.name
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIPPED_DIRS or ignored(path, True):
                continue
            yield from _walk_dir(path, specs)
        elif entry.is_file() and not ignored(path, False):
            yield str(path)
