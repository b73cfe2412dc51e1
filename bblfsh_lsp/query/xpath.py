"""XPath 1.0 over the view of a UAST (view.py): compile a query once, run it on many trees.

What a run returns (:class:`QueryResult`): for a node-set, the UAST objects (the original
dicts) the selected XPath nodes belong to, in document order, each once:

* an object's element -> that object;
* a field element (``//uast:Identifier/Name``, ``//python:If/body``) -> the object that owns
  the field;
* an attribute (``//uast:Identifier/@Name``) -> the object it is an attribute of;
* a text node -> the object of the element it is in (so ``//Name/text()`` gives the
  identifiers);
* the document node (``/``) -> the tree's root object (nothing for a list of roots).

Any other result (``count(...)``, a boolean, a string, a number) is :attr:`QueryResult.value`.

Namespace prefixes: ``uast`` and the prefixes the caller names (the language names: the
library does not know which languages exist) may be used in a query; any other is an error,
so that a typo is not an empty answer.  ``//go:File`` on a Python tree is simply empty.

Evaluation is elementpath's XPath 1.0 parser with a few operators replaced:

* comparisons follow XPath 1.0 (section 3.4): elementpath compares an attribute's string with
  a number as strings (``@start-col=3`` never matched) and raises on ``@Name < 3``;
* in predicates, comparisons, ``and``/``or``/``not()`` and ``@name`` are evaluated directly,
  reading ``@name`` from the dict;
* ``//step[predicates]`` at the start of a path, where the predicates are such boolean
  expressions and read neither position() nor last(), takes the elements named ``step`` from
  the index.  ``//step`` is descendant-or-self::node()/child::step, which is exactly every
  element named ``step``; positional predicates (``//x[1]``) keep elementpath's evaluation.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Iterator
from copy import copy
from decimal import Decimal
from typing import Any

import attrs
from elementpath import XPath1Parser, XPathContext
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import XPathNode
from elementpath.xpath_tokens import XPathAxis

from bblfsh_lsp.query.errors import QueryError
from bblfsh_lsp.query.matches import Scalar
from bblfsh_lsp.query.view import (
    NAMESPACE_BASE,
    UAST_PREFIX,
    Node,
    QueryTree,
    Strings,
    ViewDocument,
    ViewElement,
    ViewTree,
    attribute_values,
    xpath_number,
    xpath_string,
)
from driver_runtime.sdk.uast import LineStarts

# ---------------------------------------------------------------------------------------------
# The parser: XPath 1.0 with XPath 1.0's comparisons


class _Parser(XPath1Parser):
    """elementpath's XPath 1.0 parser with comparison operators that follow XPath 1.0 (3.4)."""


_COMPARE = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


_ATTRIBUTE, _LITERAL, _GENERAL = 0, 1, 2
_NO_STRINGS = Strings()  # shared: never changed


def _operand_plan(token: Any) -> tuple[int, Any, Any]:
    symbol = token.symbol
    if symbol == "@" and token[0].symbol == "(name)":
        return _ATTRIBUTE, token[0].value, token
    if symbol in ("(string)", "(integer)", "(decimal)", "(float)"):
        return _LITERAL, token.value, token
    return _GENERAL, None, token


def _comparison_plan(token: Any) -> tuple[Any, bool, tuple[int, Any, Any], tuple[int, Any, Any]]:
    """What a comparison token does, worked out on its first evaluation and kept on it."""
    try:
        return token.__dict__["_bblfsh_plan"]  # type: ignore[no-any-return]
    except KeyError:
        pass
    plan = (
        _COMPARE[token.symbol],
        token.symbol in ("=", "!="),
        _operand_plan(token[0]),
        _operand_plan(token[1]),
    )
    token.__dict__["_bblfsh_plan"] = plan
    return plan


def _operand(plan: tuple[int, Any, Any], context: Any) -> Any:
    """An operand of a comparison: a scalar, or the strings of a node-set (:class:`Strings`).

    ``@name`` on an object's element reads the attribute's values straight from the UAST,
    and literals are read from the token; anything else is evaluated by elementpath.
    """
    kind, argument, token = plan
    if kind == _ATTRIBUTE:
        item = context.item
        if type(item) is ViewElement:
            node = item.uast
            if node is None:
                return _NO_STRINGS
            return attribute_values(node, argument, item.tree.lines)
    elif kind == _LITERAL:
        return argument
    value = token.evaluate(copy(context))
    if isinstance(value, list):
        return Strings(
            token.string_value(item) if isinstance(item, XPathNode) else xpath_string(item) for item in value
        )
    if isinstance(value, XPathNode):
        return Strings([token.string_value(value)])
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return not (value == 0 or math.isnan(value))
    return bool(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _xpath1_compare(token: Any, context: Any = None) -> bool:
    """XPath 1.0's comparisons (section 3.4), node-sets compared existentially."""
    if context is None:
        raise token.missing_context()
    op, equality, left_plan, right_plan = _comparison_plan(token)
    left = _operand(left_plan, context)
    right = _operand(right_plan, context)
    left_set, right_set = type(left) is Strings, type(right) is Strings
    if left_set and equality and type(right) is str:  # the common @name = 'literal'
        if op is operator.eq:
            return right in left
        return any(string != right for string in left)
    if left_set and right_set:
        if equality:
            return any(op(a, b) for a in left for b in right)
        right_numbers = [xpath_number(b) for b in right]
        return any(op(xpath_number(a), b) for a in left for b in right_numbers)
    if left_set or right_set:
        strings, other = (left, right) if left_set else (right, left)
        if isinstance(other, bool):
            pairs: Iterable[tuple[Any, Any]] = [(bool(strings), other)]
        elif _is_number(other) or not equality:
            number = xpath_number(other)
            pairs = [(xpath_number(s), number) for s in strings]
        else:
            other_text = xpath_string(other)
            pairs = [(s, other_text) for s in strings]
        if right_set:
            pairs = [(b, a) for a, b in pairs]
        return any(op(a, b) for a, b in pairs)
    if equality:
        if isinstance(left, bool) or isinstance(right, bool):
            return op(_boolean(left), _boolean(right))
        if _is_number(left) or _is_number(right):
            return op(xpath_number(left), xpath_number(right))
        return op(xpath_string(left), xpath_string(right))
    return op(xpath_number(left), xpath_number(right))


def _truth(token: Any, context: Any) -> bool:
    """The boolean value of a sub-expression of a predicate.

    Comparisons, and/or/not() and ``@name`` tests are evaluated here without copying the
    context (they do not move it); anything else is evaluated by elementpath on a copy.
    """
    symbol = token.symbol
    if symbol in _COMPARE:
        return _xpath1_compare(token, context)
    if symbol == "and":
        return _truth(token[0], context) and _truth(token[1], context)
    if symbol == "or":
        return _truth(token[0], context) or _truth(token[1], context)
    if symbol == "not" and token.label == "function" and len(token) == 1:
        return not _truth(token[0], context)
    if symbol == "@" and token[0].symbol == "(name)":
        item = context.item
        if isinstance(item, ViewElement):
            node = item.uast
            return node is not None and bool(attribute_values(node, token[0].value, item.tree.lines))
    return token.boolean_value(token.select(copy(context)))


def _is_boolean_expression(token: Any) -> bool:
    symbol = token.symbol
    return symbol in _COMPARE or symbol in ("and", "or") or (
        symbol == "not" and token.label == "function" and len(token) == 1
    )


def _evaluate_and(token: Any, context: Any = None) -> bool:
    if context is None:
        raise token.missing_context()
    return _truth(token[0], context) and _truth(token[1], context)


def _evaluate_or(token: Any, context: Any = None) -> bool:
    if context is None:
        raise token.missing_context()
    return _truth(token[0], context) or _truth(token[1], context)


def _evaluate_not(token: Any, context: Any = None) -> bool:
    if context is None:
        raise token.missing_context()
    return not _truth(token[0], token.context or context)


_select_predicate_base = _Parser.symbol_table["["].select


def _select_predicate(token: Any, context: Any = None) -> Iterator[Any]:
    """A predicate that is a boolean expression (never a position) is tested with
    :func:`_truth`; other predicates go to elementpath."""
    predicate = token[1]
    if context is None or not _is_boolean_expression(predicate):
        yield from _select_predicate_base(token, context)
        return
    left = token[0]
    while left.symbol == "[":
        left = left[0]
    reverse_axis = left.reverse_axis if isinstance(left, XPathAxis) else False
    for _ in token[0].select_with_focus(context, reverse_axis):
        if _truth(predicate, context):
            yield context.item


_select_descendant_base = _Parser.symbol_table["//"].select


def _uses_focus(token: Any) -> bool:
    """Whether an expression reads the context position or size (position(), last())."""
    return any(t.symbol in ("position", "last") and t.label == "function" for t in token.iter())


def _descendant_plan(step: Any) -> tuple[Any, list[Any]] | None:
    """For ``//step[p1][p2]...`` with a name test and predicates that are boolean expressions
    not reading the position: (the name test, the predicates).  None for anything else."""
    predicates: list[Any] = []
    while step.symbol == "[":
        predicate = step[1]
        if not _is_boolean_expression(predicate) or _uses_focus(predicate):
            return None
        predicates.append(predicate)
        step = step[0]
    if step.symbol not in ("(name)", "*", ":"):
        return None
    if step.symbol == ":" and not isinstance(getattr(step, "name", None), str):
        return None
    predicates.reverse()
    return step, predicates


def _candidates(step: Any, view: ViewTree) -> list[ViewElement]:
    if step.symbol == "(name)":
        return view.by_name.get(step.value, [])
    if step.symbol == "*":
        return view.elements_in_order
    name: str = step.name
    if name.endswith("}*"):
        namespace = name[:-1]
        return [element for element in view.elements_in_order if element.name.startswith(namespace)]
    return view.by_name.get(name, [])


def _select_descendant(token: Any, context: Any = None) -> Iterator[Any]:
    """``//step[predicates]`` at the start of a path: descendant-or-self::node()/child::step is
    every element named ``step`` (the root element included), so it is read from the view's
    index by name, in document order, and the predicates are tested on each.  Steps and
    predicates outside that shape go to elementpath."""
    document = getattr(context, "document", None)
    plan = _descendant_plan(token[0]) if len(token) == 1 and isinstance(document, ViewDocument) else None
    if plan is None:
        yield from _select_descendant_base(token, context)
        return
    step, predicates = plan
    candidates = _candidates(step, document.tree)
    if not predicates:
        yield from candidates
        return
    status = context.item, context.size, context.position, context.axis
    context.axis = None
    context.size = context.position = 1
    try:
        for element in candidates:
            context.item = element
            for predicate in predicates:
                if not _truth(predicate, context):
                    break
            else:
                yield element
    finally:
        context.item, context.size, context.position, context.axis = status


def _override(symbol: str, **methods: Any) -> None:
    base = _Parser.symbol_table[symbol]
    _Parser.symbol_table[symbol] = type(base.__name__, (base,), {"__module__": __name__, **methods})


for _symbol in _COMPARE:
    _override(_symbol, evaluate=_xpath1_compare)
_override("and", evaluate=_evaluate_and)
_override("or", evaluate=_evaluate_or)
_override("not", evaluate=_evaluate_not)
_override("[", select=_select_predicate)
_override("//", select=_select_descendant)
_Parser.build()


# ---------------------------------------------------------------------------------------------
# Queries


@attrs.frozen
class QueryResult:
    """What a query gave on one tree.

    ``nodes``: for a node-set, the UAST objects (the tree's own dicts) in document order,
    each once (see the module documentation for what attributes, fields and text map to).
    ``value``: for any other result, the string, number (int for counts) or boolean;
    None for a node-set.
    """

    nodes: list[Node] = attrs.field(factory=list)
    value: Scalar | None = None

    @property
    def is_node_set(self) -> bool:
        return self.value is None


def _where(error: ElementPathError) -> str:
    token = error.token
    position = getattr(token, "position", None)
    if not position:
        return ""
    line, column = position
    return f" at column {column}" if line == 1 else f" at line {line}, column {column}"


def _describe(error: ElementPathError, prefixes: Iterable[str]) -> str:
    code = (error.code or "").rpartition(":")[2]
    message = error.message
    if code == "XPST0081":
        match = re.search(r"prefix '([^']*)'", message)
        prefix = match.group(1) if match else "?"
        known = ", ".join(sorted(prefixes))
        message = f"unknown namespace prefix '{prefix}' (known prefixes: {known})"
    elif code == "XPST0003" and message == "source is empty":
        message = "empty query"
    return message + _where(error)


class Query:
    """A compiled XPath 1.0 query: run it on any number of trees."""

    __slots__ = ("text", "prefixes", "_root")

    def __init__(self, text: str, prefixes: frozenset[str], root: Any):
        self.text = text
        self.prefixes = prefixes
        self._root = root

    def __repr__(self) -> str:
        return f"Query({self.text!r})"

    def run(self, tree: Node | list[Any], lines: LineStarts) -> QueryResult:
        """Run on a wire-form UAST whose offsets point into the text ``lines`` was built from."""
        view = QueryTree(tree, lines)
        try:
            return self.run_on(view)
        finally:
            view.close()

    def run_on(self, view: QueryTree) -> QueryResult:
        """Run on a prepared :class:`QueryTree` (to run several queries on one tree)."""
        document = view.document
        context = XPathContext(document)
        try:
            result = self._root.evaluate(context)
        except ElementPathError as error:
            raise QueryError(f"query {self.text!r} failed: {_describe(error, self.prefixes)}") from None
        except (ArithmeticError, RecursionError, TypeError, ValueError) as error:
            raise QueryError(f"query {self.text!r} failed: {error}") from None
        if isinstance(result, XPathNode):
            result = [result]
        if isinstance(result, list):
            if all(isinstance(item, XPathNode) for item in result):
                return QueryResult(nodes=_owners(result))
            if len(result) == 1:
                result = result[0]
            else:
                raise QueryError(f"query {self.text!r} gave a sequence of values, not a node-set")
        return QueryResult(value=_scalar(result))


def _scalar(value: Any) -> Scalar:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if not math.isfinite(number):  # JSON has no NaN or Infinity: what XPath's string() gives
            return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if value is None:
        return ""
    return str(value)


def _owners(items: list[XPathNode]) -> list[Node]:
    """The UAST objects the XPath nodes belong to, in document order, each once."""
    found: dict[int, tuple[int | float, Node]] = {}
    for item in items:
        element: Any = item
        if isinstance(item, ViewDocument):
            roots = [child for child in item.children if isinstance(child, ViewElement)]
            if len(roots) != 1:
                continue
            element = roots[0]
        elif not isinstance(item, ViewElement):
            element = item.parent
            while element is not None and not isinstance(element, ViewElement):
                element = element.parent
            if element is None:
                continue
        owner = element.owner
        if owner is None:
            continue
        node = owner.uast
        if node is not None and id(node) not in found:
            found[id(node)] = (owner.position, node)
    return [node for _, node in sorted(found.values(), key=lambda pair: pair[0])]


def compile_query(text: str, prefixes: Iterable[str] = ()) -> Query:
    """Compile an XPath 1.0 query; raise :class:`QueryError` if it is empty or invalid.

    ``prefixes``: namespace prefixes a query may use besides ``uast`` (the language names).
    """
    if not isinstance(text, str):
        raise QueryError(f"a query is a string, not {type(text).__name__}")
    if not text.strip():
        raise QueryError("empty query")
    bound = frozenset((UAST_PREFIX, *prefixes))
    namespaces = {prefix: NAMESPACE_BASE + prefix for prefix in bound}
    parser = _Parser(namespaces=namespaces)
    try:
        root = parser.parse(text)
    except ElementPathError as error:
        raise QueryError(f"invalid query {text!r}: {_describe(error, bound)}") from None
    except RecursionError:
        raise QueryError(f"invalid query {text!r}: nested too deeply") from None
    for token in root.iter():
        if token.symbol == "$":
            raise QueryError(
                f"invalid query {text!r}: variables are not supported (${token[0].value}"
                f" at column {token.position[1]})"
            )
    return Query(text, bound, root)


def run_query(text: str, tree: Node | list[Any], lines: LineStarts, prefixes: Iterable[str] = ()) -> QueryResult:
    """Compile and run in one step (compile once with :func:`compile_query` for many trees)."""
    return compile_query(text, prefixes).run(tree, lines)

