"""What a .gitignore or .ignore file excludes, by git's rules (gitignore(5)), in bounded time.

A cloned repository chooses its ignore files, so their patterns are hostile input.  pathspec
turns each pattern into one regular expression over the whole path, which backtracks: with
`a/**/a/**/a/**/a/**/a/**/b` a path 200 folders deep took a minute, and `*a*a*a*a*a*a*a*a*a*a*b`
against a long name more than an hour.  Here a pattern is matched folder by folder (a small
automaton over the path's parts, where `**` is a state that loops), and each part against a
regular expression that cannot backtrack (every `*` but the last takes the earliest place
where what follows it matches, inside an atomic group), so a match costs at most the path's
parts times the pattern's parts times a part's length.  Ignore files are also bounded
(MAX_FILE_BYTES, MAX_RULES, MAX_PATTERN_LENGTH, MAX_PATTERN_PARTS), and so is the time all
the patterns of a walk may take (MATCH_TIME_BUDGET: many patterns over a very deep tree):
what is past a bound is not applied, and the walk says so.

Supported: comments, blank lines, `!` negation (the last matching rule decides), a trailing
`/` for folders only, anchoring by a `/` at the start or in the middle, `**` at the start, in
the middle and at the end, `*`, `?`, bracket expressions (`[a-z]`, `[!...]`, `[^...]`),
backslash escapes and escaped trailing spaces.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import attrs

MAX_FILE_BYTES = 256 * 1024
MAX_RULES = 2_000
MAX_PATTERN_LENGTH = 1_024
MAX_PATTERN_PARTS = 16
MATCH_TIME_BUDGET = 5.0  # seconds the ignore files' patterns may take over a whole walk

ANY_DEPTH = None  # a `**` part of a pattern: any number of folders


@attrs.frozen
class Rule:
    """One pattern: its parts (a compiled expression per path part, or ANY_DEPTH), whether it
    re-includes (`!`), and whether it matches folders only (a trailing `/`)."""

    pattern: str
    parts: tuple[re.Pattern[str] | None, ...]
    negated: bool
    folders_only: bool

    def matches(self, path_parts: Sequence[str], is_dir: bool) -> bool:
        if self.folders_only and not is_dir:
            return False
        if len(self.parts) == 2 and self.parts[0] is ANY_DEPTH and self.parts[1] is not None:
            return self.parts[1].fullmatch(path_parts[-1]) is not None  # a name at any depth: the usual case
        return _parts_match(self.parts, path_parts)


def _parts_match(pattern: tuple[re.Pattern[str] | None, ...], path_parts: Sequence[str]) -> bool:
    """Whether the pattern's parts match all of the path's parts: a set of states (how many of
    the pattern's parts are matched) advanced one path part at a time."""
    last = len(pattern)
    states = _with_empty_any_depth(pattern, {0})
    for part in path_parts:
        following: set[int] = set()
        for state in states:
            if state == last:
                continue
            expression = pattern[state]
            if expression is ANY_DEPTH:
                following.update((state, state + 1))  # one more folder in `**`, or its last one
            elif expression.fullmatch(part):
                following.add(state + 1)
        states = _with_empty_any_depth(pattern, following)
        if not states:
            return False
    return last in states


def _with_empty_any_depth(pattern: tuple[re.Pattern[str] | None, ...], states: set[int]) -> set[int]:
    """The states, and those reached by letting a `**` match no folder at all (at the start or in
    the middle; a trailing `/**` matches at least one thing inside, as in git)."""
    out = set(states)
    for state in sorted(states):
        while state < len(pattern) - 1 and pattern[state] is ANY_DEPTH:
            state += 1
            out.add(state)
    return out


class TooSlow(Exception):
    """The patterns of a walk have taken its whole MatchBudget; the message names the file
    whose patterns were being matched."""


@attrs.define
class MatchBudget:
    """The time the patterns of one walk may still take; spent once TooSlow was raised."""

    seconds_left: float = MATCH_TIME_BUDGET
    spent: bool = False


class IgnoreRules:
    """The rules of one folder's ignore files, in order, and why some of their lines are not applied."""

    def __init__(self, source: str, rules: Sequence[Rule], problems: Sequence[str] = ()):
        self.source = source
        self.rules = tuple(rules)
        self.problems = tuple(problems)

    def decision(self, path_parts: Sequence[str], is_dir: bool, budget: MatchBudget) -> bool | None:
        """True if ignored, False if re-included (`!`), None if no rule speaks of this path;
        TooSlow once the budget is spent (checked every few rules: one costs milliseconds at most)."""
        started = time.monotonic()
        try:
            for count, rule in enumerate(reversed(self.rules)):
                if count % 16 == 0 and time.monotonic() - started >= budget.seconds_left:
                    break
                if rule.matches(path_parts, is_dir):
                    return not rule.negated
            else:
                return None
        finally:
            budget.seconds_left -= time.monotonic() - started
        budget.spent = True
        raise TooSlow(f"{self.source}: matching the ignore files' patterns took more than {MATCH_TIME_BUDGET:g} s; "
                      f"no pattern is applied from here on")


def parse_rules(text: str, source: str) -> IgnoreRules:
    """The rules of an ignore file's text; `source` names the file (or files) in problems."""
    rules: list[Rule] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if len(rules) >= MAX_RULES:
            problems.append(f"{source}: more than {MAX_RULES:,} patterns; those from line {number} on are not applied")
            break
        try:
            rule = parse_rule(line)
        except ValueError as exc:
            problems.append(f"{source}:{number}: {exc}; not applied")
            continue
        if rule is not None:
            rules.append(rule)
    return IgnoreRules(source, rules, problems)


def parse_rule(line: str) -> Rule | None:
    """One line's rule; None for a blank line or a comment; ValueError past a bound."""
    pattern = _strip_trailing_spaces(line.rstrip("\r"))
    if not pattern or pattern.startswith("#"):
        return None
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"a pattern longer than {MAX_PATTERN_LENGTH:,} characters")
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    folders_only = body.endswith("/")
    body = body.rstrip("/")
    anchored = "/" in body
    names = [name for name in body.strip("/").split("/") if name]
    if not names:
        return None
    parts: list[re.Pattern[str] | None] = [] if anchored else [ANY_DEPTH]
    for name in names:
        if name == "**":
            if not parts or parts[-1] is not ANY_DEPTH:
                parts.append(ANY_DEPTH)
        else:
            parts.append(re.compile(_name_expression(name), re.DOTALL))
    if len(parts) > MAX_PATTERN_PARTS:
        raise ValueError(f"a pattern of more than {MAX_PATTERN_PARTS} folders")
    return Rule(pattern=pattern, parts=tuple(parts), negated=negated, folders_only=folders_only)


def _strip_trailing_spaces(line: str) -> str:
    """Trailing spaces go, unless escaped with a backslash (gitignore(5))."""
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        return stripped + " "
    return stripped


def _name_expression(glob: str) -> str:
    """A regular expression for one part of a path that cannot backtrack: the glob is cut at
    its stars into pieces of fixed length; the piece after every star but the last is found at
    its earliest place, inside an atomic group (taking the earliest place is never wrong when
    pieces have a fixed length), and the piece after the last star ends the name."""
    pieces = [_piece_expression(piece) for piece in _split_at_stars(glob)]
    if len(pieces) == 1:
        return pieces[0]
    middle = "".join(f"(?>.*?{piece})" for piece in pieces[1:-1])
    return f"{pieces[0]}{middle}.*{pieces[-1]}"


def _split_at_stars(glob: str) -> list[str]:
    """The glob's pieces between runs of unescaped `*` (outside brackets)."""
    pieces, current, index = [], [], 0
    while index < len(glob):
        char = glob[index]
        if char == "\\" and index + 1 < len(glob):
            current.append(glob[index:index + 2])
            index += 2
            continue
        if char == "[":
            end = _bracket_end(glob, index)
            if end is not None:
                current.append(glob[index:end + 1])
                index = end + 1
                continue
        if char == "*":
            pieces.append("".join(current))
            current = []
            while index < len(glob) and glob[index] == "*":
                index += 1
            continue
        current.append(char)
        index += 1
    pieces.append("".join(current))
    return pieces


def _bracket_end(glob: str, start: int) -> int | None:
    """Where the bracket expression opened at `start` closes; None if it does not (a literal `[`)."""
    index = start + 1
    if index < len(glob) and glob[index] in "!^":
        index += 1
    if index < len(glob) and glob[index] == "]":
        index += 1  # a `]` first is a member
    while index < len(glob):
        if glob[index] == "\\":
            index += 2
            continue
        if glob[index] == "]":
            return index
        index += 1
    return None


def _piece_expression(piece: str) -> str:
    """A regular expression for a piece without stars: literals, `?`, brackets, escapes."""
    out, index = [], 0
    while index < len(piece):
        char = piece[index]
        if char == "\\" and index + 1 < len(piece):
            out.append(re.escape(piece[index + 1]))
            index += 2
        elif char == "?":
            out.append(".")
            index += 1
        elif char == "[" and (end := _bracket_end(piece, index)) is not None:
            out.append(_bracket_expression(piece[index + 1:end]))
            index = end + 1
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _bracket_expression(inside: str) -> str:
    """A bracket expression's members as a regular expression class."""
    negated = inside[:1] in ("!", "^")
    members = inside[1:] if negated else inside
    out, index = [], 0
    while index < len(members):
        char = members[index]
        if char == "\\" and index + 1 < len(members):
            char = members[index + 1]
            index += 1
        if index + 2 < len(members) and members[index + 1] == "-":
            high = members[index + 2]
            if high == "\\" and index + 3 < len(members):
                high = members[index + 3]
                index += 1
            if char <= high:
                out.append(f"{re.escape(char)}-{re.escape(high)}")
            index += 3
            continue
        out.append(re.escape(char))
        index += 1
    if not out:
        return "[^\\s\\S]" if not negated else "."  # `[]` never matches; `[!]` any character
    return f"[{'^' if negated else ''}{''.join(out)}]"
