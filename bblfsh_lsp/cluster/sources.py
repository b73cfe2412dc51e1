"""Paths that are fsspec URLs (`s3://bucket/src`, `gs://...`, `file:///srv/src`, `memory://...`):
listed where the command runs, read by whoever parses them (each worker its own batch, or the
local run), never through the client.  Plain paths keep the local walk (files.walk) unchanged.

fsspec is imported only when a URL is given: a plain run never loads it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

from bblfsh_lsp.files import DEFAULT_MAX_BYTES, SKIPPED_DIRS, SourceError, check_size, decode_source, read_source
from bblfsh_lsp.parsing import FileParse, SourceParser, parse_files
from driver_runtime.sdk.protocol import DEFAULT_PARTS, Mode

# scheme://...: what fsspec takes for a URL (and chained ones, `simplecache::s3://...`).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(::[A-Za-z][A-Za-z0-9+.-]*)*://")
# Sizes the listing saw, so that batching does not ask a remote store again per file.
_sizes: dict[str, int] = {}


def is_url(path: str) -> bool:
    return bool(_URL.match(path))


def _filesystem(url: str) -> tuple[Any, str]:
    """The fsspec file system of a URL and the path within it; SourceError if there is none."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise SourceError(f"{url}: reading URLs needs fsspec (pip install 'bblfsh-lsp[cluster]')") from None
    try:
        return url_to_fs(url)
    except ImportError as exc:  # s3fs, gcsfs...: the protocol's own package
        raise SourceError(f"{url}: this kind of URL needs a package that is not installed ({exc})") from None
    except (ValueError, OSError) as exc:  # an unknown protocol, a bad address
        raise SourceError(f"{url}: cannot open ({exc})") from None


def expand(url: str, wanted: Callable[[str], bool], report: Callable[[str], None]) -> list[str]:
    """The files below a URL that is a folder (sorted, VCS and tool folders skipped, those
    `wanted` refuses left out), or the URL itself if it names a file (whoever reads it says if
    it cannot be).  .gitignore files are not read below a URL."""
    try:
        fs, inner = _filesystem(url)
        if not fs.isdir(inner):
            return [url]
    except (SourceError, OSError, ValueError):
        return [url]  # named: whoever reads it says why it cannot be (as a plain path that is not there)
    try:
        found = fs.find(inner, detail=True)
    except (OSError, ValueError) as exc:
        report(f"{url}: cannot list ({exc})")
        return []
    out = []
    root = inner.rstrip("/")
    # depth first in name order, as the local walk: by the names on the way down
    for name in sorted(found, key=lambda name: name.split("/")):
        below = name[len(root):].split("/") if name.startswith(root) else name.split("/")
        if any(part in SKIPPED_DIRS for part in below[:-1]) or found[name].get("type") != "file":
            continue
        shown = url.rstrip("/") + "/" + "/".join(part for part in below if part)
        if not wanted(shown):
            continue
        size = found[name].get("size")
        if isinstance(size, int):
            _sizes[shown] = size
        out.append(shown)
    return out


def walk_paths(paths: Sequence[str], walk: Callable[[list[str]], list[str]], wanted: Callable[[str], bool],
               report: Callable[[str], None]) -> list[str]:
    """The files of `paths` in their order: plain paths by `walk` (the local walk, unchanged),
    URLs by `expand`."""
    if not any(is_url(path) for path in paths):
        return walk(list(paths))
    out: list[str] = []
    plain: list[str] = []
    for path in paths:
        if is_url(path):
            if plain:
                out += walk(plain)
                plain = []
            out += expand(path, wanted, report)
        else:
            plain.append(path)
    if plain:
        out += walk(plain)
    return out


def size_of(path: str) -> int:
    """A URL's size as listed (or asked), 0 if unknown: only batching uses it."""
    if path in _sizes:
        return _sizes[path]
    try:
        fs, inner = _filesystem(path)
        return int(fs.size(inner) or 0)
    except (SourceError, OSError, ValueError, TypeError):
        return 0


def read_url(url: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A URL's text, with a local file's rules: SourceError naming it when it cannot be read,
    is too large, binary or not UTF-8."""
    fs, inner = _filesystem(url)
    try:
        size = fs.size(inner)
        if size is not None:
            check_size(int(size), url, max_bytes)  # before reading it
        with fs.open(inner, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError(f"{url}: cannot read (No such file or directory)") from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"{url}: cannot read ({exc})") from None
    return decode_source(data, url, max_bytes)


def read_path_or_url(path: str, max_bytes: int) -> str:
    """A source's text, from a URL through fsspec or from a path."""
    return read_url(path, max_bytes) if is_url(path) else read_source(path, max_bytes)


def parse_paths(parser: SourceParser, paths: Iterable[str], mode: Mode = Mode.SEMANTIC,
                language: str | None = None, concurrency: int = 4, max_bytes: int = DEFAULT_MAX_BYTES,
                parts: tuple[str, ...] = DEFAULT_PARTS) -> AsyncIterator[FileParse]:
    """parsing.parse_files for paths and URLs alike: a few in flight, outcomes in the order given."""
    return parse_files(parser, paths, mode, language, concurrency, max_bytes, parts, read=read_path_or_url)


async def search_paths(search: Any, parser: SourceParser, paths: list[str]) -> AsyncIterator[Any]:
    """`search.files(paths)` (an XPath Search or a PatternSearch) for paths and URLs alike."""
    # A pattern's `language` is the pattern's; the files' is `file_language`.
    language = search.file_language if hasattr(search, "file_language") else search.language
    async for parsed in parse_paths(parser, paths, search.mode, language, search.concurrency, search.max_bytes,
                                    getattr(search, "parts", DEFAULT_PARTS)):
        yield await search.parsed(parsed)
