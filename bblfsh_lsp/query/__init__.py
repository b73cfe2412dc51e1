"""Structural search as a library: XPath 1.0 over the UAST in Babelfish's form, and the
search of files and trees with it.  Nothing here knows LSP or the table of languages; the
language server and the command line are thin clients.

* view.py -- the XML view of a UAST that XPath runs on;
* xpath.py -- compiling and running queries (XPath 1.0, with XPath 1.0's comparisons);
* labels.py -- a short name for a matched node;
* matches.py -- a query's matches on one tree, located in the source;
* search.py -- the walk-parse-match loop over files, within limits.
"""

from bblfsh_lsp.query.errors import QueryError, QueryTimeout
from bblfsh_lsp.query.labels import label
from bblfsh_lsp.query.matches import Match, find
from bblfsh_lsp.query.search import FileMatches, Parser, Search, compile_within
from bblfsh_lsp.query.view import MAP_ELEMENT, NAMESPACE_BASE, UAST_PREFIX, QueryTree, Scalar
from bblfsh_lsp.query.xpath import Query, QueryResult, compile_query, run_query

__all__ = [
    "MAP_ELEMENT",
    "NAMESPACE_BASE",
    "UAST_PREFIX",
    "FileMatches",
    "Match",
    "Parser",
    "Query",
    "QueryError",
    "QueryResult",
    "QueryTimeout",
    "QueryTree",
    "Scalar",
    "Search",
    "compile_query",
    "compile_within",
    "find",
    "label",
    "run_query",
]
