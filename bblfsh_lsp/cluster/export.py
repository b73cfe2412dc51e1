"""`parse --output FILE.parquet`: one row per file (path, language, the content hash, the UAST
as JSON text, the errors as JSON), for pandas, DuckDB or Spark.  Rows are made where the file
was parsed (a worker, or the local run) and written by the client as they arrive, a row group
at a time, into FILE.parquet.partial, renamed when complete: a run cut short leaves no file
that looks whole.

pyarrow is imported only by a run that writes Parquet.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import attrs
import orjson

from bblfsh_lsp.parsing import FileParse
from driver_runtime.sdk import protocol

# A row group is written when it holds this many rows or this much UAST text: readers get
# row groups they can load one at a time, and the client holds one group at most.
GROUP_ROWS = 1024
GROUP_BYTES = 64 * 1024 * 1024


class OutputError(Exception):
    """The output cannot be written (no pyarrow, a folder that does not exist...)."""


@attrs.frozen
class UastRow:
    """One file's row; `uast` and `errors` are `parse --format jsonl`'s values as JSON text."""

    path: str
    language: str
    digest: str | None  # protocol.document_digest of its UTF-8 text; None if it could not be read
    uast: str | None  # None: no tree (unreadable, no driver, a driver that failed)
    errors: str


def row_of(parsed: FileParse) -> UastRow:
    from bblfsh_lsp.cli import _errors_as_data, _record  # what a local `parse` prints, field by field

    tree = _record(parsed)["uast"]
    digest = protocol.document_digest(parsed.text.encode("utf-8", "surrogatepass")) \
        if parsed.text is not None else None
    # protocol.encode: orjson, or the standard library for trees deeper than orjson goes
    uast = protocol.encode(tree)[:-1].decode("utf-8") if tree is not None else None
    return UastRow(parsed.path, parsed.language, digest, uast, orjson.dumps(_errors_as_data(parsed)).decode())


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        pa.field("path", pa.string(), nullable=False),
        pa.field("language", pa.string(), nullable=False),
        pa.field("digest", pa.string()),
        pa.field("uast", pa.large_string()),  # one tree may pass 2 GB in a group: 64-bit offsets
        pa.field("errors", pa.string(), nullable=False),
    ])


class ParquetRows:
    """The writer: rows in, row groups out."""

    def __init__(self, path: str):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise OutputError("--output writes Parquet with pyarrow: pip install 'bblfsh-lsp[cluster]'") from None
        self.path = path
        self.partial = path + ".partial"
        self.schema = _schema()
        try:
            self.writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc}") from None
        self.rows: list[UastRow] = []
        self.held = 0
        self.written = 0

    def add(self, row: UastRow) -> None:
        self.rows.append(row)
        self.held += len(row.uast or "")
        if len(self.rows) >= GROUP_ROWS or self.held >= GROUP_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        import pyarrow as pa

        columns = {name: [getattr(row, name) for row in self.rows] for name in self.schema.names}
        self.writer.write_table(pa.Table.from_pydict(columns, schema=self.schema))
        self.written += len(self.rows)
        self.rows, self.held = [], 0

    def close(self) -> None:
        self.flush()
        self.writer.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            try:
                os.unlink(self.partial)
            except FileNotFoundError:
                pass


async def write_rows(path: str, rows: AsyncIterator[tuple[UastRow, str | None]]) -> bool:
    """Write (row, errors for stderr) pairs as they come; whether every file parsed cleanly.
    OutputError before anything is parsed if the file cannot be made."""
    import sys

    out = ParquetRows(path)
    clean = True
    try:
        async for row, errors in rows:
            if errors is not None:
                print(errors, file=sys.stderr)
                clean = False
            out.add(row)
    except BaseException:
        out.abort()
        raise
    finally:
        # Closed here, in order, not by the loop's shutdown: a cluster's run stops its work.
        await rows.aclose()  # type: ignore[attr-defined]
    out.close()
    return clean


async def local_rows(parsed: AsyncIterator[FileParse]) -> AsyncIterator[tuple[UastRow, str | None]]:
    """A local run's parses as rows, and their errors as `parse` prints them."""
    async for one in parsed:
        failed = one.problem or (one.result and one.result.errors)
        yield row_of(one), one.describe_errors() if failed else None
