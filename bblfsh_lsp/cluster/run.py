"""The client's side: connect (or start a local cluster), register the drivers' plugin, send
batches of paths, and hand back the answers in the order of the files, as they complete."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from bblfsh_lsp.cluster.batches import batches, file_size
from bblfsh_lsp.cluster.export import UastRow
from bblfsh_lsp.cluster.plugin import DriverPlugin, DriverSettings
from bblfsh_lsp.cluster.sources import is_url, size_of
from bblfsh_lsp.cluster.tasks import (
    IndexSpec,
    ParseSpec,
    PatternReport,
    PatternSpec,
    QuerySpec,
    index_batch,
    parse_batch,
    pattern_batch,
    query_batch,
)
from bblfsh_lsp.query.search import FileMatches
from driver_runtime.errors import RuntimeNotAvailable

T = TypeVar("T")
# A task lost with its worker is rerun by the scheduler (distributed.scheduler.allowed-failures);
# these are for a task that raised (a worker whose drivers could not start, say).
RETRIES = 2
CONNECT_SECONDS = 15


def driver_settings(args: argparse.Namespace) -> DriverSettings:
    return DriverSettings(args.runtime, tuple(args.driver))


@asynccontextmanager
async def connected(args: argparse.Namespace) -> AsyncIterator[Any]:
    """A client of --scheduler's cluster, or of a new local one of --workers processes, with
    the drivers' plugin registered on every worker."""
    from distributed import Client, LocalCluster
    from distributed.comm.addressing import parse_address, parse_host_port

    if not args.log_level or args.log_level.upper() not in ("DEBUG", "INFO"):
        # Dask's own notices (a worker started or lost, a task rerun, the comms it closes when
        # the run is cut short) are log lines, not output: what fails reaches us as exceptions.
        for name in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")  # --workers' processes, as they start
    cluster = None
    if args.scheduler:
        try:
            parse_host_port(parse_address(args.scheduler)[1])  # before a client is made: no half-made one
            client = await Client(args.scheduler, asynchronous=True, timeout=CONNECT_SECONDS)
        except (OSError, ValueError, TypeError) as exc:  # unreachable, or not an address
            # The CLI says it as it says a runtime that cannot run: one line, exit status 2.
            raise RuntimeNotAvailable(f"cannot reach the Dask scheduler at {args.scheduler!r}: {exc}") from None
    else:
        # One thread per process: a worker's tasks share its drivers' pool, which already keeps
        # the process's cores busy.
        # The scheduler's HTTP server on a free port of loopback: not :8787, which another
        # cluster on this machine may hold (Dask would warn on stderr).
        cluster = await LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                     dashboard_address="127.0.0.1:0", asynchronous=True)
        client = await Client(cluster, asynchronous=True)
    try:
        settings = driver_settings(args)
        await client.register_plugin(DriverPlugin(settings), name=settings.plugin_name)
        yield client
    finally:
        await client.close()
        if cluster is not None:
            await cluster.close()


async def in_order(client: Any, task: Callable[..., list[T]], spec: Any, paths: Sequence[str]) -> AsyncIterator[T]:
    """Run `task(spec, batch)` over `paths` in batches sized by bytes; each batch's answers as
    soon as it and those before it are done (a buffer puts them back in order)."""
    from distributed import as_completed

    # URLs as they are: each worker reads them itself
    named = [(path, path if is_url(path) else os.path.abspath(path)) for path in paths]
    threads = max(sum((await client.nthreads()).values()), 1)
    groups = batches(paths, [size_of(path) if is_url(path) else file_size(path) for path in paths], threads)
    run = uuid.uuid4().hex[:8]
    futures = [client.submit(task, spec, [named[i] for i in group], key=f"bblfsh-lsp-{run}-{number}",
                             retries=RETRIES, pure=False)
               for number, group in enumerate(groups)]
    position = {future.key: number for number, future in enumerate(futures)}
    done: dict[int, list[T]] = {}
    following = 0
    try:
        async for future in as_completed(futures):
            done[position[future.key]] = await future
            future.release()
            while following in done:
                for answer in done.pop(following):
                    yield answer
                following += 1
    finally:
        # Ctrl-C, a reader gone, an error: the cluster's work stops too.
        pending = [future for future in futures if not future.done()]
        if pending:
            await client.cancel(pending)


async def query_outcomes(args: argparse.Namespace, paths: list[str], search: Any = None) -> AsyncIterator[FileMatches]:
    """`query`'s answers from the cluster, in the order of `paths`; with --pattern, what the
    workers learnt of the pattern's languages is folded into `search` (the client's
    PatternSearch), whose closing lines `query` prints as locally."""
    from driver_runtime.sdk.protocol import Mode

    if not paths:
        return
    async with connected(args) as client:
        settings = driver_settings(args)
        if args.pattern:
            spec: Any = PatternSpec(settings.plugin_name, search.text, search.language, search.semantic,
                                    search.file_language, search.mode.value, search.time_limit)
            task: Callable[..., list[Any]] = pattern_batch
        else:
            spec = QuerySpec(settings.plugin_name, args.xpath, args.mode or Mode.SEMANTIC.value, args.language,
                             args.timeout or None)
            task = query_batch
        async for outcome in in_order(client, task, spec, paths):
            if isinstance(outcome, PatternReport):
                for language, pattern in outcome.patterns.items():
                    search.patterns.setdefault(language, pattern)
                for language, failure in outcome.failures.items():
                    search.failures.setdefault(language, failure)
                search.unmatched.update(outcome.unmatched)
                continue
            yield outcome


async def cluster_rows(args: argparse.Namespace) -> AsyncIterator[tuple[UastRow, str | None]]:
    """`parse --output`'s rows, made on the workers, in the order of the files."""
    async with connected(args) as client:
        spec = ParseSpec(driver_settings(args).plugin_name, args.mode, args.language, rows=True)
        async for parsed in in_order(client, parse_batch, spec, args.files):
            assert parsed.row is not None
            yield parsed.row, parsed.errors


async def run_parse(args: argparse.Namespace) -> int:
    """`parse --format jsonl` on the cluster: the same lines and exit status as a local run."""
    from bblfsh_lsp.cli import EXIT_ERROR, EXIT_NOTHING, EXIT_OK

    if args.output:
        from bblfsh_lsp.cluster.export import write_rows

        return EXIT_OK if await write_rows(args.output, cluster_rows(args)) else EXIT_NOTHING
    if args.format != "jsonl":
        print("bblfsh-lsp: parse on a cluster (--scheduler, --workers) prints --format jsonl or writes --output",
              file=sys.stderr)
        return EXIT_ERROR
    status = EXIT_OK
    async with connected(args) as client:
        spec = ParseSpec(driver_settings(args).plugin_name, args.mode, args.language)
        async for parsed in in_order(client, parse_batch, spec, args.files):
            if parsed.errors is not None:
                print(parsed.errors, file=sys.stderr)
                status = EXIT_NOTHING
            assert parsed.record is not None
            sys.stdout.buffer.write(parsed.record)
            sys.stdout.flush()
    return status


async def refresh_on_cluster(args: argparse.Namespace, store: Any, service: Any, paths: list[str], roots: list[str],
                             progress: Callable[[int, int, str], None] | None = None,
                             freshness: Any = None) -> Any:
    """indexer.refresh with the parsing on the cluster: the workers make the entries, this
    process is the store's one writer (BATCH_FILES entries a transaction, as locally)."""
    import asyncio

    from bblfsh_lsp.index.indexer import BATCH_FILES, Refreshed, check

    state = freshness or check(store, paths, roots, service)
    if state.gone:
        store.remove(state.gone)
    done = 0
    batch: list[Any] = []
    try:
        if state.stale:
            async with connected(args) as client:
                spec = IndexSpec(driver_settings(args).plugin_name)
                async for path, entry in in_order(client, index_batch, spec, state.stale):
                    done += 1
                    if entry is not None:
                        batch.append(entry)
                    if len(batch) >= BATCH_FILES:
                        await asyncio.to_thread(store.put, batch)
                        batch = []
                    if progress is not None:
                        progress(done, len(state.stale), path)
    finally:  # what was parsed is kept, as a local refresh keeps it (Ctrl-C, a lost scheduler)
        if batch:
            await asyncio.to_thread(store.put, batch)
    return Refreshed(done, len(state.gone), len(state.fresh))
