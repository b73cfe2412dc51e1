"""Property-based: random XPath against random UASTs gives an answer or an error, in bounded time.

The trees are UAST-shaped: objects with "@type" (uast:, python:, go:, a prefix no language has,
no prefix, none at all), "@role" lists, a scalar or object "@token", "@pos" byte offsets into a
generated text (lines ending in "\\n", "\\r\\n", "\\r"; multi-byte characters), scalar fields of every
JSON kind, fields holding an object, a list of objects, a list of scalars or a list of lists; a
tree is an object or a list of them.  The queries come from an XPath 1.0 grammar (every axis,
name tests with uast:/python:/unknown prefixes and *, node(), text(), predicates comparing
attributes with strings and numbers, and/or/not, position(), last(), the core functions with
right and wrong arities, arithmetic with division by zero, unions, filters, nesting), plus
garbage made of XPath's characters and grammar output cut short.

Every evaluation (compile_query + Query.run) runs under bblfsh_lsp.interruptible with a time
limit, and:

1. gives a QueryResult or raises QueryError, nothing else, or is stopped at the time limit
   (TimeLimitExceeded, a bounded outcome; with trees this small it does not happen);
2. a node-set holds objects of the given tree itself (identity), each once; a value is a
   string, a number or a boolean, and JSON without NaN/Infinity (those come back as the strings
   "NaN", "Infinity", "-Infinity");
3. differential: for a node-set Q, count(Q) >= len(nodes) and boolean(Q) == (count(Q) > 0);
   when Q's last step selects typed objects only (uast:X, python:*, ...), count(Q) == len(nodes);
   and `//T[p]` (answered from the view's index by name) selects what its long form
   `/descendant-or-self::node()/child::T[p]` (elementpath's evaluation) selects.

Examples are bounded for CI (tests/fuzzing.py: BBLFSH_LSP_FUZZ_EXAMPLES=N for a longer run).
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from fuzzing import fuzz_settings
from hypothesis import event, example, given
from hypothesis import strategies as st

from bblfsh_lsp.interruptible import TimeLimitExceeded, run_interruptible
from bblfsh_lsp.query import QueryError, QueryResult, compile_query
from driver_runtime.sdk.uast import LineStarts

# The prefixes the server and the CLI bind besides uast (the language names).
LANGUAGE_PREFIXES = ("python", "go")
TIME_LIMIT = 10.0  # seconds per evaluation: generous (a noisy CI machine); trees here are small

Node = dict[str, Any]
Outcome = QueryResult | QueryError | TimeLimitExceeded


# --- the trees ----------------------------------------------------------------------------------

TYPES = ["uast:Identifier", "uast:FunctionGroup", "uast:Alias", "uast:String", "uast:Block", "uast:Function",
         "python:Call", "python:Name", "python:If", "python:Module", "go:File", "zzz:Thing", "Plain", ":Odd",
         "uast:", ""]
ROLES = ["Function", "Declaration", "Identifier", "Expression", "Call", "Body", "Name", ""]
FIELDS = ["Name", "Value", "Nodes", "body", "args", "func", "ctx", "async", "map", "token", "role", "Format",
          "a b", "x:y", "", "0", "@other", "start-offset"]
SCALARS = (st.text(alphabet="ab x'\"<&é\n😀1.-", max_size=6) | st.integers(-1000, 1000) | st.booleans()
           | st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32)
           | st.sampled_from(["NaN", "Infinity", "1", "1.0", " 2 ", "-0", "true", "Function"]))
TEXTS = st.text(alphabet="ab \n\r\té😀中", max_size=40)


def positions(size: int) -> st.SearchStrategy[dict[str, int]]:
    offset = st.integers(0, size)
    return st.fixed_dictionaries({}, optional={"start": offset, "end": offset})


def uast_objects(size: int) -> st.SearchStrategy[Node]:
    """Objects with the system keys; `fields` adds fields holding scalars or the inner objects."""
    def node(fields: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Node]:
        system = st.fixed_dictionaries({}, optional={
            "@type": st.sampled_from(TYPES),
            "@role": st.lists(st.sampled_from(ROLES), max_size=3),
            "@token": SCALARS,
            "@pos": positions(size),
        })
        return st.builds(lambda head, rest: {**head, **rest}, system, fields)

    def scalar_fields() -> st.SearchStrategy[dict[str, Any]]:
        return st.dictionaries(st.sampled_from(FIELDS), SCALARS | st.lists(SCALARS, max_size=3), max_size=3)

    def extend(inner: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        value = (SCALARS | inner | st.lists(inner, max_size=3) | st.lists(SCALARS | inner, max_size=3)
                 | st.lists(st.lists(inner, max_size=2), max_size=2))
        token = st.fixed_dictionaries({"@token": inner})  # a token that is an object (rare)
        fields = st.dictionaries(st.sampled_from(FIELDS), value, min_size=1, max_size=4)
        return node(fields) | st.builds(lambda n, t: {**n, **t}, node(fields), token)

    return st.recursive(node(scalar_fields()), extend, max_leaves=12)


@st.composite
def documents(draw: st.DrawFn) -> tuple[Any, LineStarts]:
    """A tree (an object, or a list of them with a stray scalar) and the lines of its text."""
    data = draw(TEXTS).encode("utf-8")
    objects = uast_objects(len(data))
    tree = draw(objects | st.lists(objects | SCALARS, max_size=3))
    return tree, LineStarts(data)


def objects_of(tree: Any) -> dict[int, Node]:
    """Every object of the tree that a query can return (not the "@pos" objects), by id."""
    found: dict[int, Node] = {}
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found[id(value)] = value
            stack.extend(item for key, item in value.items() if key != "@pos")
        elif isinstance(value, list):
            stack.extend(value)
    return found


# --- the queries --------------------------------------------------------------------------------

NAME_TESTS = ["*", "uast:*", "python:*", "go:*", "uast:Identifier", "uast:FunctionGroup", "uast:Alias",
              "python:Call", "python:Name", "Name", "Value", "Nodes", "body", "map", "token", "role",
              "node()", "text()", "comment()", "processing-instruction()", "zzz:Thing", "nope:X", "Plain"]
TYPED_TESTS = ["uast:*", "python:*", "go:*", "uast:Identifier", "uast:FunctionGroup", "uast:Alias", "uast:String",
               "python:Call", "python:Name", "python:If"]
AXES = ["", "", "child::", "descendant::", "descendant-or-self::", "self::", "parent::", "ancestor::",
        "ancestor-or-self::", "following::", "following-sibling::", "preceding::", "preceding-sibling::",
        "attribute::", "@", "namespace::"]
ATTRIBUTES = ["@Name", "@role", "@token", "@start-offset", "@end-offset", "@start-line", "@end-col",
              "@start-col", "@Value", "@async", "@*", "@missing", "@type", "@pos"]
NUMBERS = ["0", "1", "2", "3", "-1", "0.5", ".5", "1.", "1e3", "NaN", "1 div 0", "0 div 0", "-1 div 0", "-0",
           "10 mod 0", "2 mod -3", "99999999999999999999"]
STRINGS = ["'x'", "'Function'", "''", '"a b"', "'NaN'", "'Infinity'", "'1'", "'true'", "'é😀'", "' 2 '"]
COMPARISONS = ["=", "!=", "<", "<=", ">", ">="]
OPERATORS = [*COMPARISONS, "and", "or", "+", "-", "*", "div", "mod", "|"]
# name: (fewest, most) arguments
FUNCTIONS = {
    "position": (0, 0), "last": (0, 0), "count": (1, 1), "string": (0, 1), "concat": (2, 4),
    "contains": (2, 2), "starts-with": (2, 2), "substring": (2, 3), "substring-before": (2, 2),
    "substring-after": (2, 2), "string-length": (0, 1), "normalize-space": (0, 1), "translate": (3, 3),
    "boolean": (1, 1), "not": (1, 1), "true": (0, 0), "false": (0, 0), "number": (0, 1), "sum": (1, 1),
    "floor": (1, 1), "ceiling": (1, 1), "round": (1, 1), "name": (0, 1), "local-name": (0, 1),
    "namespace-uri": (0, 1), "lang": (1, 1), "id": (1, 1), "nosuch": (0, 1),
}

atoms = st.sampled_from(NUMBERS + STRINGS + ATTRIBUTES + ["position()", "last()", ".", "..", "/", "text()"])
attribute_tests = st.builds(lambda a, op, b: f"{a}{op}{b}", st.sampled_from(ATTRIBUTES), st.sampled_from(COMPARISONS),
                            st.sampled_from(NUMBERS + STRINGS + ATTRIBUTES))


def steps(predicates: st.SearchStrategy[str], names: list[str] = NAME_TESTS) -> st.SearchStrategy[str]:
    return st.builds(lambda axis, name, preds: axis + name + "".join(f"[{p}]" for p in preds),
                     st.sampled_from(AXES), st.sampled_from(names), st.lists(predicates, max_size=2))


def paths(predicates: st.SearchStrategy[str], last: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Absolute or relative location paths; `last`: the last step's strategy."""
    step = steps(predicates)
    separators = st.sampled_from(["/", "//"])
    return st.builds(lambda lead, first, rest, end: lead + first + "".join(sep + s for sep, s in rest) + end,
                     st.sampled_from(["", "/", "//", "/", "//"]), step,
                     st.lists(st.tuples(separators, step), max_size=2),
                     st.just("") if last is None else st.builds(lambda sep, s: sep + s, separators, last))


def calls(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def call(name: str) -> st.SearchStrategy[str]:
        fewest, most = FUNCTIONS[name]
        arity = st.integers(fewest, most) | st.integers(max(0, fewest - 1), most + 1)
        return arity.flatmap(lambda n: st.lists(inner, min_size=n, max_size=n)).map(
            lambda args: f"{name}({', '.join(args)})")
    return st.sampled_from(sorted(FUNCTIONS)).flatmap(call)


def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        paths(inner | attribute_tests),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(OPERATORS), inner),
        inner.map(lambda e: f"-{e}"),
        inner.map(lambda e: f"({e})"),
        st.builds(lambda e, p, rest: f"({e})[{p}]{rest}", inner, inner,
                  st.sampled_from(["", "/*", "//uast:Identifier", "/@role", "/..", "/text()"])),
        st.builds(lambda a, b: f"{a} | {b}", paths(inner), paths(inner)),
        calls(inner),
    )


expressions = st.recursive(atoms | paths(attribute_tests), extend, max_leaves=6)
XPATH_CHARACTERS = "/*[]()@:.'\"=<>!|$-+, \tabcdeilnorstuvxyzAFIN0123456789"
garbage = st.text(alphabet=XPATH_CHARACTERS, max_size=30)
broken = (garbage
          | st.builds(lambda e, cut: e[:cut], expressions, st.integers(0, 40))  # cut short
          | st.builds(lambda e, at, c: e[:at] + c + e[at:], expressions, st.integers(0, 40),
                      st.sampled_from(list(XPATH_CHARACTERS))))  # a character too many
queries = st.one_of(expressions, expressions, broken)  # two in three from the grammar
# Boolean predicates that read neither position() nor last(): //T[p] may use the index by name.
boolean_predicates = st.recursive(
    attribute_tests | st.sampled_from(ATTRIBUTES + ["Name", "text()", "uast:Identifier", "*"]),
    lambda inner: st.builds(lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["and", "or"]), inner)
    | inner.map(lambda e: f"not({e})"),
    max_leaves=4)
typed_paths = paths(attribute_tests | st.sampled_from(["1", "last()", "position() > 1"]),
                    last=steps(attribute_tests | st.sampled_from(["1", "last()"]),
                               names=TYPED_TESTS).filter(lambda s: not s.startswith(("@", "attribute::", "namespace::"))))


# --- running ------------------------------------------------------------------------------------

def evaluate(query: str, tree: Any, lines: LineStarts) -> Outcome:
    """compile_query + run in a worker thread stopped at TIME_LIMIT; any exception other than
    QueryError propagates (and fails the test)."""
    def work() -> QueryResult | QueryError:
        try:
            return compile_query(query, LANGUAGE_PREFIXES).run(tree, lines)
        except QueryError as error:
            return error
    try:
        return asyncio.run(run_interruptible(work, timeout=TIME_LIMIT))
    except TimeLimitExceeded as exceeded:
        return exceeded


def check_result(query: str, result: QueryResult, tree: Any) -> None:
    """Nodes are the tree's own objects, each once; a value is JSON without NaN/Infinity."""
    if result.is_node_set:
        known = objects_of(tree)
        assert all(known.get(id(node)) is node for node in result.nodes), query
        assert len({id(node) for node in result.nodes}) == len(result.nodes), query
    else:
        value = result.value
        assert result.nodes == [], query
        assert isinstance(value, (str, int, float, bool)), (query, value)
        assert not isinstance(value, float) or math.isfinite(value), (query, value)
        json.dumps(value, allow_nan=False)


def checked(query: str, tree: Any, lines: LineStarts) -> Outcome:
    outcome = evaluate(query, tree, lines)
    event(type(outcome).__name__ + ("" if not isinstance(outcome, QueryResult) else
                                    " (node-set)" if outcome.is_node_set else " (value)"))
    if isinstance(outcome, QueryResult):
        check_result(query, outcome, tree)
    return outcome


def value_of(query: str, tree: Any, lines: LineStarts) -> Any:
    """The value of a query that must evaluate (count(...), boolean(...) of a node-set)."""
    outcome = checked(query, tree, lines)
    if isinstance(outcome, TimeLimitExceeded):
        return None
    assert isinstance(outcome, QueryResult) and not outcome.is_node_set, (query, outcome)
    return outcome.value


# --- the properties -----------------------------------------------------------------------------

SIMPLE_TREE = {"@type": "uast:File", "@pos": {"start": 0, "end": 3}, "Nodes": [
    {"@type": "uast:Identifier", "@role": ["Name"], "Name": "x", "@pos": {"start": 0, "end": 1}}]}


@fuzz_settings(ci_examples=500)
@given(query=queries, document=documents())
@example(query="0 div 0", document=(SIMPLE_TREE, LineStarts(b"x =")))
@example(query="-1 div 0", document=(SIMPLE_TREE, LineStarts(b"x =")))
@example(query="sum(//@Name)", document=(SIMPLE_TREE, LineStarts(b"x =")))
def test_any_query_gives_an_answer_or_an_error(query: str, document: tuple[Any, LineStarts]):
    tree, lines = document
    checked(query, tree, lines)


@fuzz_settings(ci_examples=200)
@given(query=expressions | typed_paths, document=documents())
def test_count_agrees_with_the_nodes(query: str, document: tuple[Any, LineStarts]):
    tree, lines = document
    outcome = checked(query, tree, lines)
    if not isinstance(outcome, QueryResult) or not outcome.is_node_set:
        return
    count = value_of(f"count({query})", tree, lines)
    if count is None:
        return
    assert count >= len(outcome.nodes), (query, count, len(outcome.nodes))
    assert value_of(f"boolean({query})", tree, lines) == (count > 0), query


@fuzz_settings(ci_examples=200)
@given(query=typed_paths, document=documents())
def test_count_of_typed_objects_is_the_number_of_nodes(query: str, document: tuple[Any, LineStarts]):
    """The last step selects object elements only (a typed name test, an element axis): each
    selected XPath node is one object, so count() and the node list agree exactly."""
    tree, lines = document
    outcome = checked(query, tree, lines)
    if not isinstance(outcome, QueryResult):
        return
    assert outcome.is_node_set, query
    count = value_of(f"count({query})", tree, lines)
    assert count is None or count == len(outcome.nodes), (query, count, len(outcome.nodes))


@fuzz_settings(ci_examples=200)
@given(name=st.sampled_from(NAME_TESTS[:-4]), predicates=st.lists(boolean_predicates, max_size=2),
       document=documents())
def test_descendant_index_agrees_with_the_long_form(name: str, predicates: list[str],
                                                     document: tuple[Any, LineStarts]):
    tree, lines = document
    filters = "".join(f"[{p}]" for p in predicates)
    short = checked(f"//{name}{filters}", tree, lines)
    long = checked(f"/descendant-or-self::node()/child::{name}{filters}", tree, lines)
    if isinstance(short, TimeLimitExceeded) or isinstance(long, TimeLimitExceeded):
        return
    assert type(short) is type(long), (name, filters, short, long)
    if isinstance(short, QueryResult):
        assert isinstance(long, QueryResult)
        assert [id(node) for node in short.nodes] == [id(node) for node in long.nodes], (name, filters)


def test_infinite_values_are_strings():
    lines = LineStarts(b"x =")
    for query, expected in {"0 div 0": "NaN", "1 div 0": "Infinity", "-1 div 0": "-Infinity",
                            "number('x')": "NaN", "sum(//@Name)": "NaN", "2 div 4": 0.5}.items():
        outcome = evaluate(query, SIMPLE_TREE, lines)
        assert isinstance(outcome, QueryResult) and outcome.value == expected, (query, outcome)


def test_deep_trees_answer_without_recursion_errors():
    """A chain of 3,000 nested calls (deep code gives deep UASTs; the random trees above are
    shallow): steps along every axis answer, none runs out of Python's stack."""
    node: Node = {"@type": "uast:Identifier", "Name": "x"}
    for depth in range(3000):
        node = {"@type": "python:Call", "@pos": {"start": 0, "end": 1}, "args": [node], "k": depth}
    expected: dict[str, Any] = {
        "count(//python:Call)": 3000, "count(//uast:Identifier/ancestor::python:Call)": 3000,
        "count(//uast:Identifier/following::k)": 3000, "count(/descendant::*[not(*)])": 3001,
        "count(//*[@k = 2999]//uast:Identifier)": 1, "name((//*)[last()])": "k",
        "string-length(string(/))": len("x" + "".join(map(str, range(3000)))), "sum(//@k)": sum(range(3000)),
        "count((//uast:Identifier/ancestor-or-self::*)[1])": 1,
    }
    lines = LineStarts(b"x")
    for query, value in expected.items():
        outcome = evaluate(query, node, lines)
        assert isinstance(outcome, QueryResult) and outcome.value == value, (query, outcome)
