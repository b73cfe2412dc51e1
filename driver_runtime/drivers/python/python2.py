"""A Python 2 fallback, parsed by CPython 3's own ast.

Babelfish's driver parsed a file as Python 2 when Python 3 failed, and its fixtures hold
Python 2 programs.  CPython 3 has no Python 2 parser, so when a file fails with an error that
Python 2 syntax explains, its Python 2 statements are rewritten *without moving a byte* and the
text is parsed again; every position the parser reports is then a position in the original:

====================  =====================  ====================================
Python 2              parsed as              becomes (native fixups below)
====================  =====================  ====================================
``print x, y,``       ``print,x, y,``        ``Print(dest, values, nl)``
``print >>f, x``      (valid as it is)       ``Print(dest=f, values=[x])``
``exec code in g``    ``exec,code in g``     ``Exec(body, globals, locals)``
``raise E, msg``      ``Raise,E, msg``       ``Raise(type, inst, tback)``
``except E, e:``      ``except E   :``       ``ExceptHandler`` named ``e``
``10L``, ``0777``     ``10 ``, ``511 ``      the number spans ``10L``, ``0777``
``a <> b``            ``a != b``             ``NotEq``
====================  =====================  ====================================

Python 2's ``True``, ``False`` and ``None`` are names, its functions have no return annotation
and its ``raise`` has type/inst/tback: the trees say so, as Python 2's ast (and Babelfish) did.
Anything else that only Python 2 accepts (backquotes, ``ur""``, tuple parameters, tabs mixed
with spaces) still fails, with a message that says the file was read as Python 2.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any, NamedTuple

from driver_runtime.drivers.python.native import Converter, Fixup, Node
from driver_runtime.drivers.python.source import Source

# SyntaxError messages that Python 2 syntax explains: only these start the fallback.
HINTS = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
    "multiple exception types must be parenthesized",  # except E, e:
    "invalid decimal literal",  # 10L
    "leading zeros in decimal integer literals",  # 0777
)

# A statement keyword followed by one of these starts a Python 2 print/exec/raise statement.
_EXPRESSION_OPENERS = {"(", "[", "{", "-", "+", "~", "`"}
_OPENERS, _CLOSERS = {"(", "[", "{"}, {")", "]", "}"}
# An integer literal that only Python 2 reads: octal without "o" (0777) or long (10L, 0x1FL).
_PYTHON2_INT = re.compile(r"(0[0-7]+|[1-9][0-9]*|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0)([lL]?)(?![0-9a-zA-Z_.])")
_LITERAL_TEXT = re.compile(rb"[0-9A-Za-z_]+")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def is_python2_error(message: str) -> bool:
    return message.startswith(HINTS)


class Rewritten(NamedTuple):
    """The rewritten text, and what the fixups need to know; places are (line, character col)."""

    text: str
    print_function: bool  # "from __future__ import print_function": print is a function
    raises: set[tuple[int, int]]  # "raise E, msg" rewritten as "Raise,E, msg"
    handlers: dict[tuple[int, int], str]  # "except E, name:": the except keyword -> name
    numbers: set[tuple[int, int]]  # 10L and 0777, rewritten shorter


def _statement_end(tokens: list[tokenize.TokenInfo], start: int, stop: str) -> tuple[int, int]:
    """From tokens[start]: the index of the first top-level comma and of the end of the
    statement (or of the first top-level `stop` operator); the comma's index is -1 if none."""
    depth, comma = 0, -1
    for index in range(start, len(tokens)):
        tok = tokens[index]
        if tok.type == tokenize.OP:
            if tok.string in _OPENERS:
                depth += 1
            elif tok.string in _CLOSERS:
                depth -= 1
            elif depth == 0 and tok.string == "," and comma < 0:
                comma = index
            elif depth == 0 and tok.string in (stop, ";"):
                return comma, index
        elif tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            return comma, index
    return comma, len(tokens) - 1


def rewrite(text: str) -> Rewritten | None:
    """The text with its Python 2 statements made Python 3 syntax, same length; or None."""
    # Read through universal newlines, tokenize's lines end where CPython's parser (and LSP) end
    # them, at "\r\n", "\r" or "\n": its line numbers are the parser's; its columns count characters.
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text, newline=None).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    chars = list(text)
    out = Rewritten("", False, set(), {}, set())

    def at(place: tuple[int, int]) -> int:
        return line_starts[place[0] - 1] + place[1]

    in_future_import = print_function = False
    for tok in tokens:
        if tok.type == tokenize.NAME and tok.string == "__future__":
            in_future_import = True
        elif tok.type == tokenize.NEWLINE:
            in_future_import = False
        elif in_future_import and tok.type == tokenize.NAME and tok.string == "print_function":
            print_function = True
    statements = {"exec", "raise"} if print_function else {"print", "exec", "raise"}
    number_end = 0  # the end of the last number literal looked at

    for index, tok in enumerate(tokens[:-1]):
        nxt = tokens[index + 1]
        if tok.type == tokenize.NAME and tok.string in statements:
            end = at(tok.end)
            if end >= len(chars) or chars[end] not in " \t":
                continue  # print(x), print"x": nothing to rewrite (a call, or not handled)
            opens_expression = nxt.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) or (
                nxt.type in (tokenize.OP, tokenize.ERRORTOKEN) and nxt.string in _EXPRESSION_OPENERS
            )
            if not opens_expression:
                continue
            if tok.string == "raise":
                if _statement_end(tokens, index + 1, ";")[0] < 0:
                    continue  # raise E(msg): Python 3 already
                chars[at(tok.start)] = "R"
                out.raises.add(tok.start)
            chars[end] = ","
        elif tok.type == tokenize.NAME and tok.string == "except":
            comma, colon = _statement_end(tokens, index + 1, ":")
            name = tokens[comma + 1] if comma > 0 else None
            if name is None or name.type != tokenize.NAME or comma + 2 != colon:
                continue  # not "except E, name:"
            if name.end[0] != tokens[comma].start[0]:
                continue  # the comma and the name on two lines: blanking would remove a newline
            for position in range(at(tokens[comma].start), at(name.end)):
                chars[position] = " "
            out.handlers[tok.start] = name.string
        elif tok.type == tokenize.NUMBER and at(tok.start) >= number_end:
            # tokenize reads 0777L as 0, 777, L: look at the whole literal in the text
            literal = _PYTHON2_INT.match(text, at(tok.start))
            if literal is None:
                continue
            digits, long_suffix = literal.group(1), literal.group(2)
            start, number_end = literal.start(), literal.end()
            if digits[:1] == "0" and digits[1:2].isdigit() and digits.strip("0"):  # 0777: octal
                chars[start:start + len(digits)] = str(int(digits, 8)).ljust(len(digits))
            elif not long_suffix:
                continue
            if long_suffix:
                chars[number_end - 1] = " "
            out.numbers.add(tok.start)
        elif tok.type == tokenize.OP and tok.string == "<" and nxt.string == ">" and nxt.start == tok.end:
            position = at(tok.start)
            chars[position], chars[position + 1] = "!", "="
    rewritten = "".join(chars)
    if rewritten == text:
        return None
    return out._replace(text=rewritten, print_function=print_function)


# --- native fixups -----------------------------------------------------------------------------

def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _print_dest(node: ast.AST) -> ast.AST | None:
    """``print >>f`` parses as ``print >> f``: the f, or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift) and _is_name(node.left, "print"):
        return node.right
    return None


def _statement(out: Node, type_name: str, token: str | None, **fields: Any) -> tuple[str, Node]:
    node: Node = {"@type": out["@type"].rpartition(":")[0] + ":" + type_name}
    if token is not None:
        node["@token"] = token
    if "@pos" in out:
        node["@pos"] = out["@pos"]
    node.update(fields)
    return type_name, node


def _tuple(elements: list[Any], pos: dict[str, int] | None, conv: Converter) -> Node:
    node: Node = {"@type": conv.prefix + "Tuple"}
    if pos is not None:
        node["@pos"] = pos
    node["ctx"] = "Load"
    node["elts"] = elements
    if conv.annotate is not None:
        conv.annotate("Tuple", node, None)  # type: ignore[arg-type]
    return node


def _print(out: Node, value: ast.expr, conv: Converter) -> tuple[str, Node] | None:
    """The print statement that an expression statement's value really is, or None."""
    converted = out["value"]
    if _is_name(value, "print"):  # a bare "print"
        return _statement(out, "Print", "print", dest=None, nl=True, values=[])
    if _print_dest(value) is not None:  # print >>f
        return _statement(out, "Print", "print", dest=converted["right"], nl=True, values=[])
    if isinstance(value, ast.Tuple) and value.elts:
        first, rest = value.elts[0], converted["elts"][1:]
        end = conv.span(value)["end"] - conv.source.shift
        newline = conv.source.data[end - 1: end] != b","  # print x, (no newline)
        if _is_name(first, "print"):  # print x, y (rewritten as print,x, y)
            return _statement(out, "Print", "print", dest=None, nl=newline, values=rest)
        if _print_dest(first) is not None:  # print >>f, x, y
            dest = converted["elts"][0]["right"]
            return _statement(out, "Print", "print", dest=dest, nl=newline, values=rest)
    if isinstance(value, ast.Call) and _is_name(value.func, "print") and not value.keywords:
        # print(x) is the print statement with a parenthesised value; print(a, b) prints a tuple.
        args = converted["args"]
        if len(args) != 1:
            start = conv.span(value.func)["end"]
            args = [_tuple(args, {"start": start, "end": conv.span(value)["end"]}, conv)]
        return _statement(out, "Print", "print", dest=None, nl=True, values=args)
    return None


def _exec(out: Node, value: ast.expr) -> tuple[str, Node] | None:
    """exec code in g, l (read as the tuple exec, code in g, l), or None."""
    if not (isinstance(value, ast.Tuple) and len(value.elts) in (2, 3) and _is_name(value.elts[0], "exec")):
        return None
    code, converted = value.elts[1], out["value"]["elts"][1:]
    body, scopes = converted[0], [None, None]
    if isinstance(code, ast.Compare) and len(code.ops) == 1 and isinstance(code.ops[0], ast.In):
        body, scopes = body["left"], [body["comparators"][0], converted[1] if len(converted) > 1 else None]
    elif len(converted) > 1:
        return None  # "exec a, b" is not Python 2 either
    return _statement(out, "Exec", "exec", body=body, globals=scopes[0], locals=scopes[1])


def fixups(rewritten: Rewritten, source: Source) -> dict[str, Fixup]:
    """The native fixups for a file read as Python 2."""

    def offsets(places: Any) -> set[int]:
        return {source.char_col_to_offset(line, col + 1) for line, col in places}

    raises = offsets(rewritten.raises)
    numbers = offsets(rewritten.numbers)
    handlers = {source.char_col_to_offset(line, col + 1): name for (line, col), name in rewritten.handlers.items()}

    def expr(out: Node, node: ast.Expr, conv: Converter) -> tuple[str, Node]:
        """An expression statement that is really a print, exec or raise statement."""
        value = node.value
        found = None if rewritten.print_function else _print(out, value, conv)
        found = found or _exec(out, value)
        if found is None and isinstance(value, ast.Tuple) and out["@pos"]["start"] in raises:
            parts = out["value"]["elts"][1:] + [None, None]  # Raise,E, msg[, traceback]
            found = _statement(out, "Raise", None, type=parts[0], inst=parts[1], tback=parts[2])
        return found or ("Expr", out)

    def raise_(out: Node, _node: ast.Raise, _conv: Converter) -> tuple[str, Node]:
        """raise E: Python 2's Raise has type, inst and tback."""
        return _statement(out, "Raise", None, type=out["exc"], inst=None, tback=None)

    def handler(out: Node, _node: ast.ExceptHandler, _conv: Converter) -> tuple[str, Node]:
        """except E, name: (read as "except E   :") binds name."""
        name = handlers.get(out["@pos"]["start"])
        if name is not None:
            out["@token"] = name
        return "ExceptHandler", out

    def constant(out: Node, node: ast.Constant, _conv: Converter) -> tuple[str, Node]:
        """True, False and None are names in Python 2; 10L and 0777 span their whole text."""
        value = node.value
        if value is None or value is True or value is False:
            name: Node = {"@type": out["@type"].rpartition(":")[0] + ":Name", "@token": str(value)}
            if "@pos" in out:
                name["@pos"] = out["@pos"]
            name["ctx"] = "Load"
            return "Name", name
        pos = out.get("@pos")
        if pos is not None and pos["start"] in numbers:
            literal = _LITERAL_TEXT.match(source.data, pos["start"] - source.shift)
            if literal is not None:
                pos["end"] = literal.end() + source.shift
        return "Constant", out

    def function(out: Node, _node: ast.FunctionDef, _conv: Converter) -> tuple[str, Node]:
        """Python 2 functions have no return annotation (their ast has no "returns" field)."""
        del out["returns"]
        return "FunctionDef", out

    return {"Expr": expr, "Raise": raise_, "ExceptHandler": handler,  # type: ignore[dict-item]
            "Constant": constant, "FunctionDef": function}  # type: ignore[dict-item]
