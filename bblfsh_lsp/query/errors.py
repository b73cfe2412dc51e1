"""What goes wrong with a query."""


class QueryError(ValueError):
    """An invalid or unsupported query, or one that failed on a tree."""


class QueryTimeout(QueryError):
    """A valid query that ran longer than its time limit and was stopped."""
