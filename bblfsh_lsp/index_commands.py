"""`bblfsh-lsp index [PATH...]`: build or refresh the index of a workspace, which `query` then
uses where it is fresh (bblfsh_lsp/index/).

The index lives in the user's cache folder (bblfsh_lsp.index.location.index_folder), one per
workspace root; nothing is written inside the workspace.  Exit status: 0 done, 2 error.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

import orjson

from bblfsh_lsp.cluster import add_cluster_arguments, on_cluster

if TYPE_CHECKING:  # sqlite3 and the index are imported when a command uses them
    from bblfsh_lsp.index.store import IndexStore

EXIT_OK, EXIT_ERROR = 0, 2


def add_index_command(subparsers: Any) -> argparse.ArgumentParser:
    index = subparsers.add_parser(
        "index", help="build or refresh the index of a workspace, which makes `query` fast",
        description="Parse a workspace's files and keep the parses in the user's cache folder, so that "
                    "`query` answers from them where the files did not change (checked by size, time and hash). "
                    "Run again to refresh: only what changed is parsed.")
    index.add_argument("root", nargs="?", default=".", metavar="PATH", help="the workspace's folder (default: .)")
    index.add_argument("--verbose", action="store_true",
                       help="say on stderr which folders and files the walk skipped, and why")
    index.add_argument("--drop", action="store_true", help="delete the index of PATH instead")
    index.add_argument("--progress", choices=["bar", "json"], default="bar",
                       help="json: one line {done, total, path} on stdout per file parsed (for the language server)")
    index.add_argument("--background", action="store_true",
                       help="run at a low CPU priority, so that an editor's requests come first")
    index.add_argument("--wait", action="store_true",
                       help="if another process is indexing PATH, wait for it, then refresh (default: leave it be)")
    add_cluster_arguments(index)
    index.set_defaults(run=cmd_index)
    return index


def _json_progress(done: int, total: int, path: str) -> None:
    print(orjson.dumps({"done": done, "total": total, "path": path}).decode(), flush=True)


def _lock(root: str, wait: bool) -> IO[bytes] | None:
    """The right to index `root`, held until the file is closed (or the process ends, however
    it ends); None while another process holds it, unless told to wait for it."""
    from bblfsh_lsp.index.location import index_file

    path = index_file(root).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "wb")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        handle.close()
        return None
    return handle


def open_index(paths: Sequence[str], tell: Callable[[str], None]) -> IndexStore | None:
    """The index that covers every one of `paths`, if there is one."""
    from bblfsh_lsp.index.location import index_root_of

    roots = {index_root_of(path) for path in paths}
    if len(roots) != 1 or None in roots:
        return None
    (root,) = roots
    assert root is not None
    from bblfsh_lsp.index.store import IndexStore

    return IndexStore.open(root, create=False, tell=tell)


async def cmd_index(args: argparse.Namespace) -> int:
    from bblfsh_lsp.cli import _service
    from bblfsh_lsp.files import walk
    from bblfsh_lsp.index.indexer import check, refresh
    from bblfsh_lsp.index.location import index_file
    from bblfsh_lsp.index.store import IndexStore, remove_index
    from bblfsh_lsp.query.search import searchable
    from bblfsh_lsp.terminal import ProgressLines

    if not os.path.isdir(args.root):
        print(f"bblfsh-lsp: {args.root} is not a folder", file=sys.stderr)
        return EXIT_ERROR
    if args.drop:
        removed = remove_index(args.root)
        print(f"{'removed' if removed else 'there was no'} index of {os.path.realpath(args.root)}")
        return EXIT_OK
    if args.background and hasattr(os, "nice"):
        os.nice(10)  # the drivers it starts inherit it
    started = time.monotonic()
    lock = _lock(args.root, wait=args.wait)
    if lock is None:
        print(f"another process is indexing {os.path.realpath(args.root)}: it keeps the index current")
        return EXIT_OK
    service = _service(args)
    told = (lambda message: print(f"skipped {message}", file=sys.stderr)) if args.verbose else (lambda _message: None)
    try:
        with IndexStore.open(args.root, tell=lambda message: print(f"bblfsh-lsp: {message}", file=sys.stderr)) \
                as store:
            paths = [os.path.abspath(path) for path in walk(
                [args.root], wanted=lambda path: searchable(service, path),
                report=lambda message: print(message, file=sys.stderr), skipped=told)]
            state = check(store, paths, [args.root], service)
            bar = ProgressLines(len(state.stale)) if args.progress == "bar" else None
            progress = _json_progress if bar is None else (lambda *_: bar.update(1))
            try:
                if on_cluster(args):  # parsed by the workers, written here (bblfsh_lsp/cluster/)
                    from bblfsh_lsp.cluster.run import refresh_on_cluster

                    done = await refresh_on_cluster(args, store, service, paths, [args.root], progress=progress,
                                                    freshness=state)
                else:
                    done = await refresh(store, service, paths, [args.root],
                                         concurrency=2 * service.settings.max_instances, progress=progress,
                                         freshness=state)
            finally:
                if bar is not None:
                    bar.close()
    finally:
        await service.close()
        lock.close()
    size = sum(os.path.getsize(str(index_file(args.root)) + suffix) for suffix in ("", "-wal")
               if os.path.exists(str(index_file(args.root)) + suffix))
    print(f"indexed {len(paths)} files in {time.monotonic() - started:.1f} s: {done.parsed} parsed, "
          f"{done.fresh} unchanged, {done.removed} removed; {index_file(args.root)} ({size / 1e6:.1f} MB)")
    return EXIT_OK
