"""The workspace index on disk: one SQLite database per workspace root, in the user's cache
folder (never inside the workspace).

Per file, keyed by its absolute path: its size, modification time and content digest (what
says it is fresh), its language and the driver that parsed it (a driver update makes the row
stale), the problem that kept it from being parsed if any, its parse as a node table
(driver_runtime.sdk.node_table), its outline, and the terms a query plan narrows files by.
Writes are the database's own transactions: a killed indexer leaves the index as it was
before the batch it was writing.  The database runs in WAL mode, so that two servers on one
workspace read while one writes.

The database is versioned (meta.format): an index of another format is dropped and built
again; so is one that SQLite cannot read (a damaged file), with a message saying so.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from bblfsh_lsp.index.location import INDEX_DIR_ENV as INDEX_DIR_ENV  # where the index is: location.py
from bblfsh_lsp.index.location import index_file
from driver_runtime.sdk import node_table

FORMAT = f"3.{node_table.FORMAT}"
"""This module's layout and the node table's encoding: another value means rebuild."""

# How long a writer waits for another's transaction (two servers on one workspace).
BUSY_TIMEOUT_MS = 30_000
# A write of this many terms or fewer, by a connection that has not read them all, looks up its
# own (SQL_VARIABLES at a time: SQLite's limit on a statement's parameters is 999 in old builds).
LOOKED_UP_TERMS = 5_000
SQL_VARIABLES = 900

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL,
    language TEXT NOT NULL,
    driver TEXT NOT NULL,
    problem TEXT,
    nodes BLOB
);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, text TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS postings (
    term INTEGER NOT NULL, file INTEGER NOT NULL, PRIMARY KEY (term, file)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_by_file ON postings (file);
CREATE TABLE IF NOT EXISTS symbols (
    file INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    container TEXT NOT NULL,
    line INTEGER NOT NULL,      -- the name's range: 0-based line, UTF-8 and UTF-16 columns
    col8 INTEGER NOT NULL,
    col16 INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    end_col8 INTEGER NOT NULL,
    end_col16 INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS symbols_by_file ON symbols (file);
CREATE INDEX IF NOT EXISTS symbols_by_name ON symbols (name);
"""


@attrs.frozen
class FileFacts:
    """What says whether a file's row is fresh, and whether it parsed."""

    path: str
    size: int
    mtime_ns: int
    digest: str  # protocol.document_digest of its content
    language: str
    driver: str  # indexer.driver_key: the driver build that parsed it
    problem: str | None = None


@attrs.frozen
class FileRecord(FileFacts):
    """What the index knows of a file, without its node table."""

    id: int = attrs.field(kw_only=True)

    def same_stat(self, stat: os.stat_result) -> bool:
        return self.size == stat.st_size and self.mtime_ns == stat.st_mtime_ns


@attrs.frozen
class IndexedSymbol:
    name: str
    kind: int  # LSP's SymbolKind number
    container: str  # the enclosing symbol's name ("" at top level)
    line: int  # the name's range, 0-based line, columns in UTF-8 and UTF-16 code units
    col8: int
    col16: int
    end_line: int
    end_col8: int
    end_col16: int


@attrs.frozen
class FileEntry(FileFacts):
    """A file's parse, as the indexer writes it."""

    nodes: bytes | None = None  # node_table.NodeTable.encode()
    terms: frozenset[str] = frozenset()
    symbols: tuple[IndexedSymbol, ...] = ()


def same_file(now: os.stat_result | None, before: os.stat_result) -> bool:
    """The same file with the same content as far as its stat tells (reading it changes its
    access time, nothing else)."""
    return now is not None and (now.st_ino, now.st_size, now.st_mtime_ns) == (
        before.st_ino, before.st_size, before.st_mtime_ns)


class IndexStore:
    """One workspace's index.  Open with `IndexStore.open(root)`; close when done."""

    def __init__(self, root: str, path: Path, connection: sqlite3.Connection):
        self.root = root
        self.path = path
        self.db = connection
        # One connection, used from worker threads: one of them at a time (a search reads tables
        # while its writer stores the files it parsed; a transaction is all one thread's).
        self.lock = threading.RLock()
        # Term ids as read or written by this connection, and the highest id read: terms are
        # never deleted and ids only grow, so one query per write catches up with other writers.
        self._term_ids: dict[str, int] = {}
        self._last_term = 0

    @classmethod
    def open(cls, root: str, create: bool = True, tell: Callable[[str], None] | None = None) -> IndexStore | None:
        """The index of `root`; None if it has none and `create` is false.  An index of another
        format, or one SQLite cannot read, is dropped (and built again from nothing): `tell`
        hears why."""
        path = index_file(root)
        if not create and not path.exists():
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return cls._open(root, path)
        except sqlite3.DatabaseError as exc:
            if tell is not None:
                tell(f"the index at {path} could not be read ({exc}): it is rebuilt")
        _remove_database(path)
        return cls._open(root, path)

    @classmethod
    def _open(cls, root: str, path: Path) -> IndexStore:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            store = cls(os.path.realpath(root), path, connection)
            if store._format() == FORMAT:
                return store  # a reader takes no lock
            with store.transaction():
                if store._format() != FORMAT:  # another process may have made it meanwhile
                    for (table,) in connection.execute(
                            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                        connection.execute(f'DROP TABLE IF EXISTS "{table}"')
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            connection.execute(statement)
                    connection.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
                    connection.execute("INSERT OR REPLACE INTO meta VALUES ('root', ?)", (os.path.realpath(root),))
            return store
        except BaseException:
            connection.close()
            raise

    def _format(self) -> str | None:
        if self.db.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------

    class _Transaction:
        def __init__(self, store: IndexStore):
            self.store = store

        def __enter__(self) -> None:
            self.store.lock.acquire()
            try:
                self.store.db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.store.lock.release()
                raise

        def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
            try:
                self.store.db.execute("COMMIT" if kind is None else "ROLLBACK")
            finally:
                self.store.lock.release()

    def transaction(self) -> IndexStore._Transaction:
        """A write transaction: all of it lands, or none (BEGIN IMMEDIATE: a second writer
        waits for the first rather than failing halfway)."""
        return IndexStore._Transaction(self)

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """A query's rows (on this connection, one thread at a time)."""
        with self.lock:
            return self.db.execute(sql, parameters).fetchall()

    def version(self) -> tuple[int, int]:
        """What changes when the index does: SQLite's data_version (another connection's
        commits) and this connection's own changes."""
        with self.lock:
            (data_version,) = self.db.execute("PRAGMA data_version").fetchone()
            return data_version, self.db.total_changes

    # -- reading --------------------------------------------------------------------------

    def records(self) -> dict[str, FileRecord]:
        """Every file the index knows, by path."""
        rows = self.rows("SELECT id, path, size, mtime_ns, digest, language, driver, problem FROM files")
        return {row[1]: FileRecord(*row[1:], id=row[0]) for row in rows}

    def nodes(self, ids: Iterable[int]) -> Iterator[tuple[int, bytes | None]]:
        """The node tables of these files, (id, encoded table), in batches."""
        wanted = list(ids)
        for at in range(0, len(wanted), 500):
            batch = wanted[at:at + 500]
            marks = ",".join("?" * len(batch))
            yield from self.rows(f"SELECT id, nodes FROM files WHERE id IN ({marks})", batch)

    def files_with(self, requirement: list[frozenset[str]]) -> set[int] | None:
        """The ids of the files that hold, for each set of terms, at least one of them; None
        when the requirement says nothing (every file may match)."""
        found: set[int] | None = None
        for alternatives in requirement:
            marks = ",".join("?" * len(alternatives))
            rows = self.rows(f"SELECT DISTINCT postings.file FROM postings JOIN terms ON terms.id = postings.term "
                             f"WHERE terms.text IN ({marks})", sorted(alternatives))
            ids = {row[0] for row in rows}
            found = ids if found is None else found & ids
            if not found:
                break
        return found

    # -- writing --------------------------------------------------------------------------

    def put(self, entries: Iterable[FileEntry]) -> None:
        """Write files' parses (replacing what the index had of them), in one transaction.  A
        connection that has not read the terms yet and writes a few files (a query that parsed
        the one file edited since) looks up only theirs: the whole table is tens of thousands."""
        entries = list(entries)
        try:
            with self.transaction():
                wanted = {term for entry in entries for term in entry.terms}
                if self._last_term == 0 and len(wanted) <= LOOKED_UP_TERMS:
                    self._look_up(wanted)
                else:
                    self._read_new_terms()
                for entry in entries:
                    self._put(entry)
        except BaseException:
            self._term_ids, self._last_term = {}, 0  # what was rolled back may be among them
            raise

    def _put(self, entry: FileEntry) -> None:
        self._drop(entry.path)
        cursor = self.db.execute(
            "INSERT INTO files (path, size, mtime_ns, digest, language, driver, problem, nodes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.path, entry.size, entry.mtime_ns, entry.digest, entry.language, entry.driver,
             entry.problem, entry.nodes))
        file_id = cursor.lastrowid
        if entry.terms:
            ids = self._term_ids
            new = [term for term in entry.terms if term not in ids]
            if new:
                self.db.executemany("INSERT INTO terms (text) VALUES (?)", [(term,) for term in new])
                if self._last_term == 0:
                    self._look_up(new)
                else:
                    self._read_new_terms()
            self.db.executemany("INSERT INTO postings (term, file) VALUES (?, ?)",
                                [(ids[term], file_id) for term in entry.terms])
        if entry.symbols:
            self.db.executemany("INSERT INTO symbols VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [(file_id, symbol.name, symbol.kind, symbol.container, symbol.line, symbol.col8,
                                  symbol.col16, symbol.end_line, symbol.end_col8, symbol.end_col16)
                                 for symbol in entry.symbols])

    def _look_up(self, terms: Iterable[str]) -> None:
        """The ids of these terms, those the index has."""
        missing = sorted(term for term in terms if term not in self._term_ids)
        for at in range(0, len(missing), SQL_VARIABLES):
            chunk = missing[at:at + SQL_VARIABLES]
            rows = self.db.execute(f"SELECT id, text FROM terms WHERE text IN ({', '.join('?' * len(chunk))})", chunk)
            for term_id, text in rows:
                self._term_ids[text] = term_id

    def _read_new_terms(self) -> None:
        """The terms written since this connection last read them (by it or by another writer)."""
        rows = self.db.execute("SELECT id, text FROM terms WHERE id > ?", (self._last_term,)).fetchall()
        for term_id, text in rows:
            self._term_ids[text] = term_id
            self._last_term = max(self._last_term, term_id)

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """A file whose content did not change although its stat did (a checkout rewrote it)."""
        with self.transaction():
            self.db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def remove(self, paths: Iterable[str]) -> None:
        with self.transaction():
            for path in paths:
                self._drop(path)

    def _drop(self, path: str) -> None:
        row = self.db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            return
        self.db.execute("DELETE FROM postings WHERE file = ?", row)
        self.db.execute("DELETE FROM symbols WHERE file = ?", row)
        self.db.execute("DELETE FROM files WHERE id = ?", row)


def _remove_database(path: Path) -> bool:
    removed = False
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(str(path) + suffix)
            removed = True
        except FileNotFoundError:
            pass
    return removed


def remove_index(root: str) -> bool:
    """Delete a workspace's index; whether there was one."""
    return _remove_database(index_file(root))

