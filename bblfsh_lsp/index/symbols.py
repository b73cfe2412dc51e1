"""Workspace symbols from the index: the symbols whose names match a query, fuzzily, ranked as
editors rank them (VS Code's "Go to Symbol in Workspace", pyright, gopls, clangd).

A name matches when the query's characters occur in it in order, ignoring case.  How well it
matches is its tier, best first:

  EXACT        the name is the query;
  PREFIX       the name starts with the query;
  WORDS        the query is cut into pieces, each the start of one of the name's words, in
               order (camelCase humps, snake_case parts, digit runs, acronyms: "gor" and "gOR"
               find getOptionalRelease, "pargs" finds parse_args, "htse" HTTPServer); clangd
               matches only this way (a piece never starts inside a word: "foo" does not find
               "barefoot" there);
  SUBSTRING    the query is in the name, starting inside a word ("arse" in "parse");
  SUBSEQUENCE  the query's characters are in the name, scattered (VS Code's Ctrl+T still shows
               these, last).

Within a tier, a match that holds with the query's case beats one that holds only ignoring
case ("Parser" for the query "Parser" before "parser"); then the shorter name; then a top-level
symbol before one inside another (the index keeps a symbol's container, not its depth); then
path, line and column, so that the order is stable.  The score (FoundSymbol.score) is
2 * tier + (1 if the case matched): 11 for an exact match with case, down to 2.  Separators in
the query (_ $ . - and the like) count for every tier but WORDS, where they are left out
("pars_ar" finds parse_args as "parsar" does).

An empty query (or one of spaces) returns the first `limit` symbols, top-level first, in
path order: LSP says an empty query asks for all symbols (VS Code sends one when its picker
opens), and `limit` keeps the answer small.

How it is fast.  Ranking is over distinct names (the stdlib's 33,740 symbols have 18,979), not
symbols, and every test runs over all the names at once in C: they are held in memory as one
string, each lower-cased and between zero characters, where str.find finds the exact, prefix and
substring matches and a regular expression the scattered ones, and as bytes where big-integer
bit operations find the WORDS matches (NameTable).  The table is read from the index with one
scan and kept for the next request while the database is unchanged (PRAGMA data_version and
the connection's own changes tell); SQL then reads only the chosen names' symbols.  A LIKE
prefilter per request cost more: a scan of the symbols table each (about 5 ms on the stdlib's
index here) and about a microsecond per row brought into Python, thousands of rows for a short
query.  The tiers are computed best first and only as far as `limit` needs: the scattered
matches of a loose query, most of its candidates, are seldom looked at.
"""

from __future__ import annotations

import bisect
import collections
import os
import re
import string
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import attrs

from bblfsh_lsp.index.store import IndexStore
from driver_runtime.sdk.outline import SymbolKind

DEFAULT_LIMIT = 100

EXACT, PREFIX, WORDS, SUBSTRING, SUBSEQUENCE = 5, 4, 3, 2, 1

# Past these lengths a name or query is not tried for the WORDS tier (the other tiers hold):
# `aligned`, which tests a name beyond ASCII on its own, costs the query's length squared times
# the words, and a workspace's generated or hostile names must not make a request slow.  clangd
# caps its matcher likewise (63, 127).
MAX_ALIGNED_QUERY = 63
MAX_ALIGNED_NAME = 255

# A name's words: an acronym (a run of capitals not followed by a lower-case letter: HTTP in
# HTTPServer), a word with or without its capital, a run of digits.  What is neither (_ $ . -)
# separates words.  "Lower-case" is any letter but A-Z: a non-ASCII capital does not start a
# hump (re has no class for it), which only costs that name the WORDS tier.
_WORD = re.compile(r"[A-Z]+(?![^\W_A-Z0-9])|[A-Z]?[^\W_A-Z0-9]+|[0-9]+")
_SEPARATOR = re.compile(r"[\W_]+")
_FLAG = re.compile(b"\1")

_SYMBOL_COLUMNS = ("files.path, symbols.name, symbols.kind, symbols.container, symbols.line, symbols.col8, "
                   "symbols.col16, symbols.end_line, symbols.end_col8, symbols.end_col16")


@attrs.frozen
class FoundSymbol:
    path: str  # absolute, as the index keeps it
    name: str
    kind: int  # LSP's SymbolKind number
    container: str  # the enclosing symbol's name ("" at top level)
    line: int  # the name's range: 0-based line, columns in UTF-8 and UTF-16 code units
    col8: int
    col16: int
    end_line: int
    end_col8: int
    end_col16: int
    score: int  # 2 * tier + (1 if the case matched); 0 for an empty query

    @property
    def kind_name(self) -> str:
        """"class", "method"... as the outline names kinds."""
        try:
            return SymbolKind(self.kind).name.lower()
        except ValueError:
            return "symbol"


@attrs.frozen
class Pattern:
    """A query, prepared once for matching many names."""

    text: str
    lower: str
    # The query without separators, for the WORDS tier, where separators are what words are
    # cut by ("pars_ar" finds parse_args; "_" alone cannot be aligned at all).
    bare: str
    bare_lower: str

    @classmethod
    def of(cls, query: str) -> Pattern:
        query = query.replace("\0", "")  # what ends each name in NameTable.joined
        bare = _SEPARATOR.sub("", query)
        return cls(query, query.lower(), bare, bare.lower())


def _in_order_expression(text: str) -> str:
    """A regular expression for a name, after its zero, holding `text`'s characters in order.
    Each step is "anything but the next character (or the name's end), then it", taken
    possessively: a name is tried in one pass (a backtracking ".*?" would be exponential in the
    query on a hostile name)."""
    return "\0" + "".join(f"[^\0{re.escape(char)}]*+{re.escape(char)}" for char in text)


def in_order_names(text: str, names: Sequence[str]) -> list[int]:
    """The indexes of the names that hold `text`'s characters in order, case and all."""
    joined = "\0" + "\0".join(name.replace("\0", "\1") for name in names) + "\0"
    name_at, offset = {}, 0
    for at, name in enumerate(names):
        name_at[offset] = at
        offset += len(name) + 1
    return [name_at[match.start()] for match in re.finditer(_in_order_expression(text), joined)]


def words(name: str) -> list[str]:
    """getOptionalRelease -> get, Optional, Release; HTTPServer2 -> HTTP, Server, 2."""
    return _WORD.findall(name)


def aligned(query: str, name_words: Sequence[str]) -> bool:
    """Whether `query` can be cut into pieces that start words of the name, in order (the
    WORDS tier): each word may take one piece, a prefix of it.  A run that goes on past a word's
    end into the next ("optionalrel" in getOptionalRelease) is the same as two pieces, the
    whole word and the next one's start.

    Greedy is wrong here ("abc" against "ab_bc" needs "a" + "bc", not "ab" + "c"), so this
    keeps every length of the query matched so far: the query's length times the words."""
    if not query:
        return False
    end = len(query)
    reached = {0}
    for word in name_words:
        more = set()
        for start in reached:
            at = start
            for char in word:
                if at == end or query[at] != char:
                    break
                at += 1
                more.add(at)
        if end in more:
            return True
        reached |= more
    return False


class _Lanes:
    """Names prepared for testing WORDS alignment on all of them at once (`aligned` says what
    it is for one name).

    The names are joined into one byte string, each ended by a zero byte, and a Python integer
    holds a bit per byte ("lanes", 8 bits apart), so that a handful of big-integer operations
    per query character tests every name (the bit-parallel "shift-and" of string matching).
    A name beyond ASCII (rare in code; `words` cuts it by Unicode's letters) or holding a zero
    byte is tested on its own by `aligned`."""

    def __init__(self, names: Sequence[str]):
        self.names = names
        joined = "\0".join(names)
        self.batch: Sequence[int]
        if joined.isascii() and joined.count("\0") == len(names) - 1:
            self.batch = range(len(names))
            self.alone: list[int] = []
            self.data = (joined + "\0").encode("ascii") if names else b""
        else:
            self.batch = [at for at, name in enumerate(names) if name.isascii() and "\0" not in name]
            batched = set(self.batch)
            self.alone = [at for at in range(len(names)) if at not in batched]
            self.data = "".join(names[at] + "\0" for at in self.batch).encode("ascii")
        self.ones = int.from_bytes(b"\1" * len(self.data), "little")
        self.ends = self.lanes("\0")
        self.inside = self.ones ^ self.ends
        upper = self.lanes(string.ascii_uppercase)
        lower = self.lanes(string.ascii_lowercase)
        digit = self.lanes(string.digits)
        ones = self.ones
        # Where words start, as `words` cuts them: a capital after no capital; a capital after
        # one and before a small letter (the S of HTTPServer); a small letter after no letter;
        # a digit after no digit.
        self.starts = ((upper & (ones ^ (upper << 8))) | (upper & (upper << 8) & (lower >> 8))
                       | (lower & (ones ^ ((upper | lower) << 8))) | (digit & (ones ^ (digit << 8))))

    def lanes(self, chars: str) -> int:
        """1 in the lanes of the bytes that are one of `chars` (ASCII)."""
        table = bytearray(256)
        for char in chars:
            table[ord(char)] = 1
        return int.from_bytes(self.data.translate(table), "little")

    def aligned(self, query: str, ignore_case: bool) -> list[int]:
        """The indexes of the names `query` is aligned with (both lower-cased if `ignore_case`)."""
        if not query:
            return []
        wanted = query.lower() if ignore_case else query
        found = []
        for at in self.alone:
            name_words = words(self.names[at])
            if aligned(wanted, [word.lower() for word in name_words] if ignore_case else name_words):
                found.append(at)
        if not self.batch or not wanted.isascii():  # a character beyond ASCII is in no ASCII name
            return found

        def where(char: str) -> int:
            return self.lanes(char + char.upper() if ignore_case else char)

        ends, inside, starts = self.ends, self.inside, self.starts
        # Where a prefix of the query can end, every piece having started at a word start.
        reached = where(wanted[0]) & starts
        for char in wanted[1:]:
            if not reached:
                return found
            # The next character goes on from a reached lane (the piece goes on) or starts a
            # new piece at a later word start of the same name.  `span`: every lane from the
            # first reached one of each name up to its end, not the end (moved up one lane, it
            # would be the next name's start): subtracting the reached lanes from the ends
            # borrows through exactly those lanes (a reached lane further up the same name is
            # left 0 by the borrow: hence the | reached).
            span = (((ends - reached) ^ ends) | reached) & inside
            reached = where(char) & ((reached << 8) | ((span << 8) & starts))
        # The ends of the names where the whole query was reached, then a byte per name: the
        # lanes that are no end become 2, and are deleted.
        matched = ((ends - reached) ^ ends) & ends
        flags = ((inside << 1) | matched).to_bytes(len(self.data), "little").translate(None, b"\2")
        found += [self.batch[match.start()] for match in _FLAG.finditer(flags)]
        return sorted(found)


def aligned_names(query: str, names: Sequence[str], ignore_case: bool) -> list[int]:
    """The indexes of the names `query` is aligned with, as `aligned` says of each (both
    lower-cased when `ignore_case`), computed for all of them at once."""
    return _Lanes(names).aligned(query, ignore_case)


class NameTable:
    """Distinct names, with how many symbols have each, prepared for matching them all at once.

    `joined` holds every name lower-cased, each between zero characters (Pattern.of drops
    zeros from queries; one inside a name is held as \\x01): str.find looks for the query
    there at C's speed (after a zero: at a name's start), and a regular expression that starts
    with a zero is tried at names' starts only."""

    def __init__(self, counts: Mapping[str, int]):
        self.names = list(counts)
        self.counts = [counts[name] for name in self.names]
        self.lengths = [len(name) for name in self.names]
        lowers = [name.lower().replace("\0", "\1") for name in self.names]
        self.joined = "\0" + "\0".join(lowers) + "\0"
        self.starts: list[int] = []  # where each name's zero is in `joined`
        offset = 0
        for lower in lowers:
            self.starts.append(offset)
            offset += len(lower) + 1
        self.name_at = {start: at for at, start in enumerate(self.starts)}
        self.short = [at for at, length in enumerate(self.lengths) if length <= MAX_ALIGNED_NAME]
        self._lanes: _Lanes | None = None

    def _starting(self, text: str, whole: bool = False) -> list[int]:
        """The names that start with `text` (lower-case), or are it if `whole`."""
        joined, name_at = self.joined, self.name_at
        needle = "\0" + text + ("\0" if whole else "")
        found = []
        at = joined.find(needle)
        while at >= 0:
            found.append(name_at[at])
            at = joined.find(needle, at + 1)
        return found

    def _holding(self, text: str) -> list[int]:
        """The names that hold `text` (lower-case), each once."""
        joined, starts = self.joined, self.starts
        found = []
        at = joined.find(text)
        while at >= 0:
            found.append(bisect.bisect_right(starts, at) - 1)
            at = joined.find(text, joined.find("\0", at))  # on from the end of that name
        return found

    def _in_order(self, lower: str) -> list[int]:
        """The names that hold these (lower-case) characters in order."""
        name_at = self.name_at
        return [name_at[match.start()] for match in re.finditer(_in_order_expression(lower), self.joined)]

    def _aligned(self, bare: str, in_order: Callable[[str], list[int]]) -> list[int]:
        """The names that `bare` (lower-case) is aligned with.  Bit operations cost by the length
        of the names they run over, per character of the query: a short query runs them over
        every name, prepared once; a longer one over the names that hold it in order, few."""
        if len(bare) <= 3:
            if self._lanes is None:
                self._lanes = _Lanes([self.names[at] for at in self.short])
            return [self.short[at] for at in self._lanes.aligned(bare, ignore_case=True)]
        candidates = [at for at in in_order(bare) if self.lengths[at] <= MAX_ALIGNED_NAME]
        return [candidates[at] for at in aligned_names(bare, [self.names[at] for at in candidates], ignore_case=True)]

    def matches(self, pattern: Pattern) -> Iterator[tuple[int, list[int]]]:
        """The names that match, as (score, indexes), best score first.  Each tier is computed
        when the one before has been taken: a caller that has enough stops there (the scattered
        matches of a loose query, most of its candidates, are seldom looked at)."""
        if not pattern.text:
            return  # the empty query: no name is better than another (find_symbols says what it gives)
        names = self.names
        taken: set[int] = set()
        known: dict[str, list[int]] = {}

        def in_order(lower: str) -> list[int]:
            if lower not in known:
                known[lower] = self._in_order(lower)
            return known[lower]

        def tier(number: int, found: Iterable[int],
                 cased: Callable[[list[int]], Iterable[int]]) -> Iterator[tuple[int, list[int]]]:
            """A tier's names (those not taken by a better one): those `cased` says match with
            the query's case, then the others."""
            fresh = [at for at in found if at not in taken]
            if fresh:
                taken.update(fresh)
                with_case = set(cased(fresh))
                yield 2 * number + 1, [at for at in fresh if at in with_case]
                yield 2 * number, [at for at in fresh if at not in with_case]

        def subset(fresh: list[int], test: Callable[[list[str]], list[int]]) -> list[int]:
            return [fresh[at] for at in test([names[at] for at in fresh])]

        query, lower = pattern.text, pattern.lower
        yield from tier(EXACT, self._starting(lower, whole=True),
                        lambda fresh: [at for at in fresh if names[at] == query])
        yield from tier(PREFIX, self._starting(lower),
                        lambda fresh: [at for at in fresh if names[at].startswith(query)])
        if pattern.bare and len(pattern.bare) <= MAX_ALIGNED_QUERY:
            yield from tier(WORDS, self._aligned(pattern.bare_lower, in_order), lambda fresh: subset(
                fresh, lambda tried: aligned_names(pattern.bare, tried, ignore_case=False)))
        yield from tier(SUBSTRING, self._holding(lower), lambda fresh: [at for at in fresh if query in names[at]])
        yield from tier(SUBSEQUENCE, in_order(lower), lambda fresh: subset(
            fresh, lambda tried: in_order_names(query, tried)))


def score_names(pattern: Pattern, names: Sequence[str]) -> list[int]:
    """How well each name matches: 2 * tier + (1 if the case matched), or 0 if it does not."""
    table = NameTable(dict.fromkeys(names, 1))
    scores = {}
    for score, indexes in table.matches(pattern):
        for at in indexes:
            scores[table.names[at]] = score
    return [scores.get(name, 0) for name in names]


def match_score(pattern: Pattern, name: str) -> int:
    """How well one name matches (score_names)."""
    return score_names(pattern, [name])[0]


def order_key(symbol: FoundSymbol) -> tuple[int, int, bool, str, int, int]:
    """The ranking: best first."""
    return (-symbol.score, len(symbol.name), symbol.container != "", symbol.path, symbol.line, symbol.col8)


@attrs.frozen
class _Scope:
    """Which files a search covers: SQL to AND to a query on `symbols`, and its parameters."""

    sql: str = ""
    parameters: tuple[str, ...] = ()


def _scope(store: IndexStore, under: str | None) -> _Scope:
    """The files at or below `under` (a folder or a file); every file if it is the index's root
    or None.  Paths are compared as the index keeps them (absolute) and as their real paths,
    since the index may have been built through a symbolic link or not."""
    if under is None:
        return _Scope()
    spellings = {os.path.abspath(under), os.path.realpath(under)}
    if store.root in spellings and os.path.isdir(under):
        return _Scope()
    clauses: list[str] = []
    parameters: list[str] = []
    for spelling in sorted(spellings):
        folder = os.path.join(spelling, "")
        # A range on the path (files.path is UNIQUE, so indexed): every path that starts with
        # `folder`, whose last character is the separator, is below the next character.
        clauses.append("files.path = ? OR (files.path >= ? AND files.path < ?)")
        parameters += [spelling, folder, folder[:-1] + chr(ord(folder[-1]) + 1)]
    ids = "SELECT files.id FROM files WHERE " + " OR ".join(f"({clause})" for clause in clauses)
    return _Scope(f" AND symbols.file IN ({ids})", tuple(parameters))


# The name table of each open index, and what it was read from: the database's version (PRAGMA
# data_version changes when another connection commits; total_changes counts this one's own
# writes) and the scope.  Weak: a closed and forgotten store takes its table with it.  Requests
# on one store from several threads at once may each read a table and keep theirs, the last one
# staying: no lock, since reading twice costs time, not correctness.
_TABLES: weakref.WeakKeyDictionary[IndexStore, tuple[tuple[int, int, _Scope], NameTable]] = \
    weakref.WeakKeyDictionary()


def name_table(store: IndexStore, scope: _Scope = _Scope()) -> NameTable:
    """The names of the index's symbols (in `scope`), read again only if the index changed."""
    version = (*store.version(), scope)
    known = _TABLES.get(store)
    if known is not None and known[0] == version:
        return known[1]
    rows = store.rows(f"SELECT symbols.name FROM symbols WHERE 1{scope.sql}", scope.parameters)
    table = NameTable(collections.Counter([name for (name,) in rows]))
    _TABLES[store] = (version, table)
    return table


def _symbols_named(store: IndexStore, names: Iterable[str], scope: _Scope) -> list[tuple]:
    wanted = sorted(names)
    rows: list[tuple] = []
    step = 999 - len(scope.parameters)  # SQLite's oldest limit on a statement's parameters
    for at in range(0, len(wanted), step):
        batch = wanted[at:at + step]
        rows += store.rows(
            f"SELECT {_SYMBOL_COLUMNS} FROM symbols JOIN files ON files.id = symbols.file "
            f"WHERE symbols.name IN ({','.join('?' * len(batch))}){scope.sql}",
            (*batch, *scope.parameters))
    return rows


def best_names(table: NameTable, pattern: Pattern, limit: int) -> dict[str, int]:
    """The names whose symbols can be among the best `limit` (0: all), with their scores: in
    rank order until `limit` symbols are covered, and every name that ties with the last one on
    what names decide (score and length), since their symbols' order is then decided by
    container and path."""
    names, counts = table.names, table.counts
    chosen: dict[str, int] = {}
    covered = 0
    for score, indexes in table.matches(pattern):
        if 0 < limit <= covered:
            break
        last = -1
        lengths = table.lengths
        for at in sorted(indexes, key=lengths.__getitem__):
            if 0 < limit <= covered and lengths[at] != last:
                break
            chosen[names[at]] = score
            covered += counts[at]
            last = lengths[at]
    return chosen


def find_symbols(store: IndexStore, query: str, limit: int = DEFAULT_LIMIT,
                 under: str | None = None) -> list[FoundSymbol]:
    """The symbols of the index whose names match `query`, best first, at most `limit` of them
    (0: all).  `under`: only those in files at or below this path."""
    scope = _scope(store, under)
    pattern = Pattern.of(query.strip())
    if not pattern.text:
        return _first_symbols(store, limit, scope)
    chosen = best_names(name_table(store, scope), pattern, limit)
    found = [FoundSymbol(*row, score=chosen[row[1]]) for row in _symbols_named(store, chosen, scope)]
    found.sort(key=order_key)
    return found[:limit] if limit > 0 else found


def _first_symbols(store: IndexStore, limit: int, scope: _Scope) -> list[FoundSymbol]:
    rows = store.rows(
        f"SELECT {_SYMBOL_COLUMNS} FROM symbols JOIN files ON files.id = symbols.file WHERE 1{scope.sql} "
        f"ORDER BY symbols.container != '', files.path, symbols.line, symbols.col8 LIMIT ?",
        (*scope.parameters, limit if limit > 0 else -1))
    return [FoundSymbol(*row, score=0) for row in rows]


def changed_files(store: IndexStore, paths: Iterable[str]) -> list[str]:
    """Those of `paths` (as the index keeps them) whose size or modification time is no longer
    what the index saw, or that are gone: what the index says of them may be out of date."""
    changed = []
    for path in sorted(set(paths)):
        row = next(iter(store.rows("SELECT size, mtime_ns FROM files WHERE path = ?", (path,))), None)
        try:
            stat = os.stat(path)
        except OSError:
            changed.append(path)
            continue
        if row is None or (stat.st_size, stat.st_mtime_ns) != tuple(row):
            changed.append(path)
    return changed
