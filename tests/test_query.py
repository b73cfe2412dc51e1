"""Structural search: XPath 1.0 over the UAST in Babelfish's form (bblfsh_lsp.query)."""

from __future__ import annotations

import argparse
import gc
from collections import Counter
from typing import Any

import pytest

from bblfsh_lsp.query import MAP_ELEMENT, Query, QueryError, QueryResult, QueryTree, compile_query, label, run_query
from bblfsh_lsp.query.view import attribute_pairs, attribute_values
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.languages import LANGUAGES
from driver_runtime.sdk.protocol import Mode, ParseRequest
from driver_runtime.sdk.uast import LineStarts, walk

Node = dict[str, Any]
# What the server and the CLI let a query use besides uast: (the library knows no languages).
LANGUAGE_PREFIXES = tuple(language.name for language in LANGUAGES)


def compiled(text: str, extra: tuple[str, ...] = ()) -> Query:
    return compile_query(text, LANGUAGE_PREFIXES + extra)


def parse_python(src: str) -> Node:
    tree = PythonDriver().parse(ParseRequest(content=src, mode=Mode.SEMANTIC)).uast
    assert isinstance(tree, dict)
    return tree


def lines_of(src: str) -> LineStarts:
    return LineStarts(src.encode("utf-8"))


def run(text: str, tree: Any, src: str = "", prefixes: tuple[str, ...] = ()) -> QueryResult:
    return compiled(text, prefixes).run(tree, lines_of(src))


def nodes(text: str, tree: Any, src: str = "", prefixes: tuple[str, ...] = ()) -> list[Node]:
    result = run(text, tree, src, prefixes)
    assert result.is_node_set, f"{text} gave the value {result.value!r}"
    return result.nodes


def value(text: str, tree: Any, src: str = "") -> Any:
    result = run(text, tree, src)
    assert not result.is_node_set, f"{text} gave a node-set"
    assert result.nodes == []
    return result.value


def same_objects(found: list[Node], expected: list[Node]) -> bool:
    return len(found) == len(expected) and all(a is b for a, b in zip(found, expected))


# --- hand-built trees ---------------------------------------------------------------------------


def ident(name: str, start: int | None = None, end: int | None = None) -> Node:
    node: Node = {"@type": "uast:Identifier", "Name": name}
    if start is not None or end is not None:
        node["@pos"] = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    return node


def babelfish_filter_tree() -> tuple[Node, Node, Node]:
    """Babelfish's TestFilter: an Identifier with positions and a native node with roles."""
    foo = ident("Foo", start=7, end=11)
    a = {"@type": "Ident", "@token": "A", "@role": ["Identifier", "Name"]}
    root = {"@type": "uast:File", "Nodes": [foo, a]}
    return root, foo, a


# Offsets 7 and 11 fall on line 1 column 8 and line 3 column 2 of this text.
FILTER_SRC = "abcdefghi\n\nxyz\n"


@pytest.fixture
def object_tree() -> dict[str, Any]:
    """Babelfish's TestFilterObject:
    <A key='val' keys='a' keys='b'><key>val</key><keys>ab</keys><one><B/></one><sub><C/><d:X/></sub></A>
    """
    b = {"@type": "B"}
    c = {"@type": "C"}
    d = {"@type": "d:X"}
    root = {"@type": "A", "key": "val", "keys": ["a", "b"], "one": b, "sub": [c, d]}
    return {"root": root, "b": b, "c": c, "d": d}


def function_tree() -> tuple[Node, Node, Node, Node]:
    """A function declaration, a type declaration and a call, with several roles each."""
    func = {"@type": "python:FunctionDef", "@token": "f", "@role": ["Declaration", "Function"]}
    klass = {"@type": "python:ClassDef", "@token": "K", "@role": ["Declaration", "Type"]}
    call = {"@type": "python:Call", "@role": ["Call", "Expression", "Function"]}
    root = {"@type": "python:Module", "@role": ["File", "Module"], "body": [func, klass, call]}
    return root, func, klass, call


# --- element names, attributes, fields (Babelfish's examples) ------------------------------------


def test_typed_objects_are_elements_named_by_type():
    src = "import os\n\nclass Foo(Base):\n    def bar(self):\n        return foo\n"
    tree = parse_python(src)
    found = nodes("//uast:Identifier", tree, src)
    expected = [n for n in walk(tree) if n.get("@type") == "uast:Identifier"]
    assert expected and same_objects(found, expected)
    classes = nodes("//python:ClassDef", tree, src)
    assert [n["@type"] for n in classes] == ["python:ClassDef"]
    assert classes[0] is next(n for n in walk(tree) if n.get("@type") == "python:ClassDef")


def test_scalar_field_is_an_attribute():
    src = "foo = bar\nfoo()\n"
    tree = parse_python(src)
    found = nodes("//uast:Identifier[@Name='foo']", tree, src)
    assert len(found) == 2 and all(n["Name"] == "foo" for n in found)
    assert nodes("//uast:Identifier[@Name='nope']", tree, src) == []


def test_scalar_field_is_also_a_child_element_with_text():
    src = "foo = bar\n"
    tree = parse_python(src)
    found = nodes("//uast:Identifier/Name[text()='foo']/..", tree, src)
    assert [n["Name"] for n in found] == ["foo"]
    assert nodes("//uast:Identifier[Name='bar']", tree, src)[0]["Name"] == "bar"


def test_babelfish_filter_examples():
    root, foo, a = babelfish_filter_tree()
    assert same_objects(nodes("//uast:Identifier[@Name='Foo']", root, FILTER_SRC), [foo])
    assert same_objects(nodes("//uast:Identifier/Name[text() = 'Foo']/..", root, FILTER_SRC), [foo])
    assert same_objects(nodes("//*[@start-col=8]", root, FILTER_SRC), [foo])
    assert nodes("//Identifier", root, FILTER_SRC) == []  # the prefix is part of the name
    assert same_objects(nodes("//*[name() = 'uast:Identifier']", root, FILTER_SRC), [foo])
    assert same_objects(nodes("//*[local-name() = 'Identifier']", root, FILTER_SRC), [foo])
    assert same_objects(nodes("//Ident", root, FILTER_SRC), [a])
    assert same_objects(nodes("//Ident[text() = 'A']", root, FILTER_SRC), [a])
    assert same_objects(nodes("//Ident[@role = 'Name']", root, FILTER_SRC), [a])
    assert nodes("//Ident[@role = 'Invalid']", root, FILTER_SRC) == []


def test_babelfish_object_examples(object_tree):
    root, b, c, d = (object_tree[k] for k in ("root", "b", "c", "d"))

    def q(text: str) -> list[Node]:
        return nodes(text, root, prefixes=("d",))

    assert same_objects(q("/"), [root])
    assert same_objects(q("/A"), [root])
    assert same_objects(q("/A/one/B"), [b])
    assert same_objects(q("/A/sub/C"), [c])
    assert same_objects(q("//B"), [b])
    assert same_objects(q("//C"), [c])
    assert same_objects(q("//d:X"), [d])
    assert same_objects(q("//A[@key='val']"), [root])
    assert same_objects(q("//A[@keys='a']"), [root])
    assert same_objects(q("//A[@keys='b']"), [root])
    assert same_objects(q("//A[@keys or @key]"), [root])
    assert same_objects(q("/A/key[text() = 'val']"), [root])
    assert q("/A/key[text() = 'other']") == []
    assert value("boolean(//*[@blah])", root) is False
    assert value("boolean(/A)", root) is True
    assert value("name(//A)", root) == "A"


def test_field_elements_hold_their_values(object_tree):
    root = object_tree["root"]
    # <A> has the field elements key, keys, one, sub; <sub> holds two elements; <keys> two texts.
    assert value("count(/A/*)", root) == 4
    assert value("count(/A/sub/*)", root) == 2
    assert value("count(/A/keys/text())", root) == 2
    assert value("string(/A/keys)", root) == "ab"
    assert value("count(/A/@keys)", root) == 2
    assert value("count(/A/@*)", root) == 3  # key, keys, keys: object fields are no attributes
    assert value("name(/A/one/*)", root) == "B"


def test_field_and_attribute_and_text_matches_map_to_the_owning_object(object_tree):
    root, b = object_tree["root"], object_tree["b"]
    assert same_objects(nodes("/A/one", root), [root])  # a field element -> its owner
    assert same_objects(nodes("/A/sub", root), [root])
    assert same_objects(nodes("//A/@key", root), [root])  # an attribute -> its element's object
    assert same_objects(nodes("//*[text()='a']", root), [root])  # <keys> -> A
    assert same_objects(nodes("/A/keys/text()", root), [root])  # text -> its element's object
    assert same_objects(nodes("/A/one/B/..", root), [root])
    assert same_objects(nodes("/A/one/B | /A/one", root), [root, b])


def test_mapped_results_are_sorted_by_their_objects():
    c = {"@type": "C"}
    root = {"@type": "A", "sub": [c], "key": "val"}  # <A key='val'><sub><C/></sub><key>val</key></A>
    # In document order the text of <key> follows <C>; the object it stands for, A, precedes C.
    assert same_objects(nodes("//C | /A/key/text()", root), [root, c])
    assert same_objects(nodes("/A/key/text() | //C", root), [root, c])


def test_identifier_field_and_attribute_matches_give_the_identifiers():
    src = "a = b\n"
    tree = parse_python(src)
    identifiers = nodes("//uast:Identifier", tree, src)
    assert len(identifiers) == 2
    assert same_objects(nodes("//uast:Identifier/Name", tree, src), identifiers)
    assert same_objects(nodes("//uast:Identifier/@Name", tree, src), identifiers)
    assert same_objects(nodes("//uast:Identifier/Name/text()", tree, src), identifiers)


def test_booleans_numbers_and_null_as_text():
    node = {"@type": "uast:Argument", "Init": None, "Variadic": False, "Receiver": True, "N": 3, "F": 2.0,
            "G": 0.5}
    root = {"@type": "uast:FunctionType", "Arguments": [node]}
    assert same_objects(nodes("//uast:Argument[@Variadic='false' and @Receiver='true']", root), [node])
    assert same_objects(nodes("//uast:Argument[@Init='']", root), [node])
    assert same_objects(nodes("//uast:Argument/Init[not(text()) and not(*)]/..", root), [node])
    assert same_objects(nodes("//uast:Argument[@N=3 and @F='2' and @G=0.5]", root), [node])
    assert value("string(//uast:Argument/Variadic)", root) == "false"


def test_untyped_objects_are_map_elements():
    inner = {"async": False, "decorators": []}
    group = {"@type": "uast:FunctionGroup", "Nodes": [inner]}
    assert MAP_ELEMENT == "map"
    assert same_objects(nodes("//map", group), [inner])
    assert same_objects(nodes("//uast:FunctionGroup/Nodes/map[@async='false']", group), [inner])
    assert value("name(//Nodes/*)", group) == "map"


def test_token_is_text_and_attribute():
    src = "class Foo:\n    pass\nx = 1\n"
    tree = parse_python(src)
    by_text = nodes("//python:ClassDef[text()='Foo']", tree, src)
    by_attribute = nodes("//python:ClassDef[@token='Foo']", tree, src)
    assert len(by_text) == 1 and by_text[0] is by_attribute[0]
    assert by_text[0]["@token"] == "Foo"
    assert nodes("//python:ClassDef[text()='Bar']", tree, src) == []
    token_node = {"@type": "python:Constant", "@token": 42}
    assert same_objects(nodes("//python:Constant[@token=42]", token_node), [token_node])
    assert same_objects(nodes("//python:Constant[text()='42']", token_node), [token_node])


def test_object_token_and_nested_arrays_are_elements():
    token = {"@type": "uast:Identifier", "Name": "t"}
    node = {"@type": "x:Node", "@token": token, "grid": [[ident("a")], [ident("b"), "c"]]}
    assert same_objects(nodes("/x:Node/token/uast:Identifier", node, prefixes=("x",)), [token])
    result = run("count(/x:Node/grid/grid)", node, prefixes=("x",))
    assert result.value == 2
    assert run("string(/x:Node/grid/grid[2])", node, prefixes=("x",)).value == "bc"


# --- roles: repeated attributes -------------------------------------------------------------------


def test_every_role_is_a_role_attribute():
    root, func, _, _ = function_tree()
    assert value("count(//python:FunctionDef/@role)", root) == 2
    assert value("string(//python:FunctionDef/@role[1])", root) == "Declaration"
    assert value("string(//python:FunctionDef/@role[2])", root) == "Function"


def test_repeated_role_attributes_with_and_or_not():
    root, func, klass, call = function_tree()
    assert same_objects(nodes("//*[@role='Function' and @role='Declaration']", root), [func])
    assert same_objects(nodes("//*[@role='Declaration' and @role='Function']", root), [func])
    assert same_objects(nodes("//*[@role='Function' or @role='Type']", root), [func, klass, call])
    assert same_objects(nodes("//*[@role='Function' and not(@role='Declaration')]", root), [call])
    assert same_objects(nodes("//*[@role='Declaration' and not(@role='Function')]", root), [klass])
    assert nodes("//python:*[not(@role)]", root) == []
    # Only the field element <body> has no role; it stands for the Module that owns it.
    assert same_objects(nodes("//*[not(@role)]", root), [root])
    assert nodes("//*[@role='Function' and @role='Type']", root) == []
    # != is existential too: some role differs from 'Function'.
    assert same_objects(nodes("//python:FunctionDef[@role!='Function']", root), [func])


def test_roles_on_elementpath_general_path_agree():
    """@*[name()='role'] goes through elementpath's own attribute nodes."""
    root, func, _, _ = function_tree()
    assert same_objects(
        nodes("//*[@*[name()='role']='Function' and @*[name()='role']='Declaration']", root), [func]
    )


# --- positions --------------------------------------------------------------------------------


def test_position_attributes():
    root, foo, _ = babelfish_filter_tree()
    assert value("string(//uast:Identifier/@start-offset)", root, FILTER_SRC) == "7"
    assert value("string(//uast:Identifier/@start-line)", root, FILTER_SRC) == "1"
    assert value("string(//uast:Identifier/@start-col)", root, FILTER_SRC) == "8"
    assert value("string(//uast:Identifier/@end-offset)", root, FILTER_SRC) == "11"
    assert value("string(//uast:Identifier/@end-line)", root, FILTER_SRC) == "3"
    assert value("string(//uast:Identifier/@end-col)", root, FILTER_SRC) == "1"
    assert same_objects(nodes("//*[@start-line=1 and @end-line=3]", root, FILTER_SRC), [foo])


def test_comparisons_follow_xpath_1():
    """A node-set compared with a number compares numbers; a string that is no number is NaN."""
    root, foo, a = babelfish_filter_tree()
    src = FILTER_SRC
    assert value("//uast:Identifier/@start-col = 8", root, src) is True  # outside a predicate
    assert value("//uast:Identifier/@start-col = '8'", root, src) is True
    assert value("//uast:Identifier/@start-col = 8.0", root, src) is True
    assert value("//uast:Identifier/@Name < 5", root, src) is False  # NaN, not an error
    assert value("//uast:Identifier/@Name != 5", root, src) is True
    assert value("//uast:Identifier/@start-col > //uast:Identifier/@start-offset", root, src) is True
    assert value("//uast:Identifier/@Name = //Ident/text()", root, src) is False
    assert value("//uast:Identifier/@Name = //uast:Identifier/Name", root, src) is True
    assert value("//uast:Identifier/@Name = true()", root, src) is True
    assert value("//nothing = false()", root, src) is True
    assert value("'3' = 3 and '3.0' = 3 and not('x' = 'y') and 2 > '10'", root, src) is False
    assert value("'3' = 3 and '3.0' = 3 and not('x' = 'y') and 2 < '10'", root, src) is True
    assert same_objects(nodes("//*[boolean(@start-col = 8)]", root, src), [foo])
    assert same_objects(nodes("//*[@start-col = 8][1]", root, src), [foo])
    assert nodes("//*[@start-col < 'x']", root, src) == []


def test_positions_exist_only_when_the_node_has_them():
    both, start_only, none = ident("a", 0, 1), ident("b", start=2), ident("c")
    root = {"@type": "uast:Block", "Statements": [both, start_only, none]}
    src = "a b c\n"
    assert same_objects(nodes("//uast:Identifier[@start-offset]", root, src), [both, start_only])
    assert same_objects(nodes("//uast:Identifier[@end-col]", root, src), [both])
    assert same_objects(nodes("//uast:Identifier[not(@start-line)]", root, src), [none])


def test_start_col_is_a_byte_column_on_non_ascii_source():
    src = 's = "héllo wörld"; x = 1\nclass Ünïcode:\n    pass\n'
    tree = parse_python(src)
    data = src.encode("utf-8")
    x_col = data.index(b"x = 1") + 1  # 1-based byte column on line 1
    assert x_col != src.index("x = 1") + 1  # the character column differs
    found = nodes(f"//uast:Identifier[@Name='x'][@start-line=1][@start-col={x_col}]", tree, src)
    assert [n["Name"] for n in found] == ["x"]
    assert value("string(//uast:Identifier[@Name='x']/@start-offset)", tree, src) == str(x_col - 1)
    string_node = nodes("//uast:String", tree, src)[0]
    assert value("number(//uast:String/@end-col)", tree, src) == string_node["@pos"]["end"] + 1


# --- scalar results, order, duplicates ------------------------------------------------------------


def test_scalar_results():
    root, _, _, _ = function_tree()
    assert value("count(//*[@role='Function'])", root) == 2
    assert isinstance(value("count(//*)", root), int)
    assert value("boolean(//python:Call)", root) is True
    assert value("boolean(//python:Lambda)", root) is False
    assert value("//python:Call/@role = 'Call'", root) is True
    assert value("string(//python:ClassDef)", root) == "K"
    assert value("count(//@role) div 2", root) == 4.5
    assert value("sum(//python:Module/@nope)", root) == 0


def test_results_are_in_document_order_without_duplicates():
    src = "def f(a, b):\n    return a + b\n\nclass C:\n    x = f(1, 2)\n"
    tree = parse_python(src)
    in_order = [n for n in walk(tree) if n.get("@type") == "uast:Identifier"]
    assert len(in_order) > 4
    assert same_objects(nodes("//uast:Identifier", tree, src), in_order)
    # A union written backwards, and overlapping matches of fields, attributes and nodes.
    union = nodes(
        "//python:ClassDef | //uast:Identifier | //uast:Identifier/Name | //uast:Identifier/@Name", tree, src
    )
    expected = [n for n in walk(tree) if n.get("@type") in ("uast:Identifier", "python:ClassDef")]
    assert same_objects(union, expected)
    assert len({id(n) for n in union}) == len(union)
    parents = nodes("//uast:Identifier/..", tree, src)
    assert len({id(n) for n in parents}) == len(parents)


def test_positional_predicates_keep_xpath_meaning():
    first, second, third = ident("a"), ident("b"), ident("c")
    root = {"@type": "uast:Block", "Statements": [first, second], "More": [third]}
    # [1] is the first Identifier among its siblings, in each field element.
    assert same_objects(nodes("//uast:Identifier[1]", root), [first, third])
    assert same_objects(nodes("(//uast:Identifier)[1]", root), [first])
    assert same_objects(nodes("//uast:Identifier[last()]", root), [second, third])
    assert same_objects(nodes("//uast:Identifier[position() = 2]", root), [second])
    assert same_objects(nodes("//uast:Identifier[@Name='b'][1]", root), [second])


def test_fast_paths_agree_with_elementpath_on_a_real_file():
    """//step[predicate] (read from an index, predicates tested directly) gives what the
    general evaluation of /descendant-or-self::node()/step[predicate] gives."""
    src = open(argparse.__file__, encoding="utf-8").read()
    tree = parse_python(src)
    lines = lines_of(src)
    roles = Counter(role for node in walk(tree) for role in node.get("@role") or [])
    (common, _), (second, _) = roles.most_common(2)
    view = QueryTree(tree, lines)
    try:
        for step, predicate, some in [
            ("uast:Identifier", "", True),
            ("*", f"[@role='{common}' or @role='{second}']", True),
            ("*", f"[@role='{common}' and not(@role='{second}')]", False),
            ("uast:Identifier", "[@Name='parser' or @start-line < 200]", True),
            ("python:Call", "[@start-col >= 10]", True),
            ("Name", "[text()='self']", True),
            ("uast:*", "[@end-offset > 1000][@Name]", True),
            ("python:ClassDef", "[@token = 'ArgumentParser']", True),
        ]:
            fast = compiled(f"//{step}{predicate}").run_on(view).nodes
            general = compiled(f"/descendant-or-self::node()/{step}{predicate}").run_on(view).nodes
            assert fast or not some, (step, predicate)
            assert same_objects(fast, general), (step, predicate)
        # Attribute values read from the dicts == the attribute nodes elementpath sees.
        checked = 0
        for node in walk(tree):
            pairs = attribute_pairs(node, lines)
            for name in {name for name, _ in pairs} | {"role", "token", "start-col", "absent"}:
                assert attribute_values(node, name, lines) == [v for k, v in pairs if k == name]
                checked += 1
        assert checked > 10_000
    finally:
        view.close()


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("//foo[", ["'//foo['", "unexpected end", "column 6"]),
        ("//a[@x=]", ["unexpected ']'", "column 8"]),
        ("//a]", ["unexpected ']'"]),
        ("frobnicate(//a)", ["unknown function", "frobnicate"]),
        ("", ["empty query"]),
        ("   ", ["empty query"]),
        ("//a[$x = 1]", ["variables are not supported", "$x"]),
    ],
)
def test_invalid_queries_raise_query_error(text, words):
    with pytest.raises(QueryError) as caught:
        compile_query(text)
    assert isinstance(caught.value, ValueError)
    for word in words:
        assert word in str(caught.value)


def test_unknown_prefix_is_an_error():
    with pytest.raises(QueryError) as caught:
        compile_query("//foo:Bar")
    message = str(caught.value)
    assert "unknown namespace prefix 'foo'" in message and "uast" in message


def test_language_prefixes_are_bound_when_given():
    src = "x = 1\n"
    tree = parse_python(src)
    for language in ("go", "javascript", "typescript", "java", "ruby", "php", "bash", "cpp", "csharp"):
        assert nodes(f"//{language}:File", tree, src) == []
    with pytest.raises(QueryError, match="unknown namespace prefix 'go'"):
        compile_query("//go:File", ["python"])


def test_tree_prefixes_are_bound_for_names_and_extra_prefixes_for_queries():
    element = {"@type": "jsx:Element", "name": "div"}
    root = {"@type": "javascript:Program", "body": [element]}
    assert value("name(//*[@name='div'])", root) == "jsx:Element"
    assert value("namespace-uri(//*[@name='div'])", root) == "urn:bblfsh:jsx"
    assert QueryTree(root, lines_of("")).prefixes >= {"jsx", "uast", "javascript"}
    with pytest.raises(QueryError):
        compile_query("//jsx:Element")
    assert same_objects(nodes("//jsx:Element", root, prefixes=("jsx",)), [element])


def test_query_without_matches_is_empty():
    src = "x = 1\n"
    tree = parse_python(src)
    result = run("//python:ClassDef", tree, src)
    assert result.is_node_set and result.nodes == [] and result.value is None
    assert nodes("//uast:Identifier[@Name='y']", tree, src) == []
    assert value("count(//python:ClassDef)", tree, src) == 0


# --- reuse, deep trees, labels ---------------------------------------------------------------


def test_compiled_query_runs_on_many_trees_and_views():
    query = compiled("//uast:Identifier[@Name='x']")
    assert isinstance(query, Query) and query.text == "//uast:Identifier[@Name='x']"
    for src, expected in [("x = 1\n", 1), ("y = 2\n", 0), ("x = x + 1\n", 2)]:
        assert len(query.run(parse_python(src), lines_of(src)).nodes) == expected
    src = "x = y\n"
    with QueryTree(parse_python(src), lines_of(src)) as view:
        assert len(query.run_on(view).nodes) == 1
        assert compiled("count(//uast:Identifier)").run_on(view).value == 2
    with pytest.raises(ValueError):
        query.run_on(view)  # closed


def test_a_run_leaves_no_garbage_behind():
    src = "".join(f"def f{i}(a, b):\n    return a + {i} * b\n" for i in range(300))
    tree, lines = parse_python(src), lines_of(src)
    queries = [compiled(q) for q in ("//uast:Identifier", "//*[@*='x']", "//*[1]", "string(/)")]
    for query in queries:
        query.run(tree, lines)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for query in queries:
            query.run(tree, lines)
        assert len(gc.get_objects()) - before < 50
    finally:
        if was_enabled:
            gc.enable()


def test_a_run_leaves_the_collector_as_it_was():
    root, _, _, _ = function_tree()
    query = compiled("//python:Call")
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        query.run(root, lines_of(""))
        assert gc.isenabled()
        gc.disable()
        query.run(root, lines_of(""))
        assert not gc.isenabled()
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_deep_trees_do_not_overflow():
    node: Node = ident("leaf")
    for _ in range(5000):
        node = {"@type": "python:BinOp", "@role": ["Binary"], "left": node}
    assert len(nodes("//uast:Identifier", node)) == 1
    assert len(nodes("//uast:Identifier[1]", node)) == 1
    assert value("count(//python:BinOp[@role='Binary'])", node) == 5000
    assert value("count(//uast:Identifier/ancestor::*)", node) == 10_000
    assert value("string(/)", node) == "leaf"


def test_run_query_compiles_and_runs():
    root, func, _, _ = function_tree()
    assert same_objects(run_query("//python:FunctionDef", root, lines_of(""), ["python"]).nodes, [func])
    with pytest.raises(QueryError):
        run_query("//(", root, lines_of(""))


def test_labels():
    src = (
        "import os.path as p\nfrom a.b import c\n"
        "class Foo:\n    def bar(self):\n        return 'hi'\n"
    )
    tree = parse_python(src)
    identifier = nodes("//uast:Identifier[@Name='self']", tree, src)[0]
    assert label(identifier) == "self"
    assert label(nodes("//uast:String", tree, src)[0]) == "hi"
    assert label(nodes("//uast:FunctionGroup", tree, src)[0]) == "bar"
    assert label(nodes("//python:ClassDef", tree, src)[0]) == "Foo"
    imports = nodes("//uast:RuntimeImport", tree, src)
    assert [label(n) for n in imports] == ["os.path", "a.b"]
    assert label(tree) == ""
    assert label({"@type": "python:Pass"}) == ""
    long = {"@type": "uast:String", "Value": "word " * 40 + "\n\nend"}
    assert len(label(long)) <= 60 and "\n" not in label(long)
    assert label({"@type": "uast:QualifiedIdentifier", "Names": [ident("a"), ident("b")]}) == "a.b"
