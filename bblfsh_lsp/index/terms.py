"""The terms an index keeps per file, by which a query's candidate files are found: every node
type the file holds (``t:python:Call``) and every attribute value of at most MAX_VALUE
characters (``v:isinstance``; roles and tokens are attributes too)."""

from __future__ import annotations

from driver_runtime.sdk.node_table import NodeTable

TYPE_TERM = "t:"
VALUE_TERM = "v:"
MAX_VALUE = 64


def file_terms(table: NodeTable) -> set[str]:
    strings = table.strings.texts()
    terms = {TYPE_TERM + strings[number] for number in set(table.types)}
    terms.update(VALUE_TERM + text for text in map(strings.__getitem__, set(table.attr_values))
                 if len(text) <= MAX_VALUE)
    return terms
