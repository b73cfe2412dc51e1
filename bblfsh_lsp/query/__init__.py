"""Structural search as a library: XPath 1.0 over the UAST in Babelfish's form, and the
search of files and trees with it.  Nothing here knows LSP or the table of languages; the
language server and the command line are thin clients.

* view.py -- the XML view of a UAST that XPath runs on (labels and scalars as text: the kit's
  driver_runtime/sdk/labels.py, shared with the node tables drivers may send);
* xpath.py -- compiling and running queries (XPath 1.0, with XPath 1.0's comparisons);
* matches.py -- a query's matches on one tree, located in the source;
* search.py -- the walk-parse-match loop over files, within limits.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# What each name is imported from, when first used: the evaluator and the view import
# elementpath (0.1 s), which a query answered from the index never needs.
_EXPORTS = {
    "QueryError": "errors", "QueryTimeout": "errors",
    "Match": "matches", "Scalar": "matches", "find": "matches",
    "FileMatches": "search", "Parser": "search", "Search": "search", "compile_within": "search",
    "MAP_ELEMENT": "view", "NAMESPACE_BASE": "view", "UAST_PREFIX": "view", "QueryTree": "view",
    "Query": "xpath", "QueryResult": "xpath", "compile_query": "xpath", "run_query": "xpath",
}

if TYPE_CHECKING:
    from bblfsh_lsp.query.errors import QueryError, QueryTimeout
    from bblfsh_lsp.query.matches import Match, Scalar, find
    from bblfsh_lsp.query.search import FileMatches, Parser, Search, compile_within
    from bblfsh_lsp.query.view import MAP_ELEMENT, NAMESPACE_BASE, UAST_PREFIX, QueryTree
    from bblfsh_lsp.query.xpath import Query, QueryResult, compile_query, run_query
    from driver_runtime.sdk.labels import label


def __getattr__(name: str) -> Any:
    if name == "label":
        from driver_runtime.sdk.labels import label

        return label
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MAP_ELEMENT", "NAMESPACE_BASE", "UAST_PREFIX", "FileMatches", "Match", "Parser", "Query", "QueryError",
    "QueryResult", "QueryTimeout", "QueryTree", "Scalar", "Search", "compile_query", "compile_within", "find",
    "label", "run_query",
]
