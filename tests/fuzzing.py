"""How much the property-based tests (tests/test_fuzz_*.py) explore.

In CI each test runs its own bounded number of examples, derandomized (the same examples every
run, so a red CI is never a coin toss), and takes a few tens of seconds.  For a longer, random
run set BBLFSH_LSP_FUZZ_EXAMPLES:

    BBLFSH_LSP_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_fuzz_edits.py

A failure prints the smallest example Hypothesis found, and the @reproduce_failure line that
replays it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES_ENV = "BBLFSH_LSP_FUZZ_EXAMPLES"


def fuzz_settings(ci_examples: int) -> settings:
    """Settings for one property: ci_examples examples, or the number the environment asks for."""
    asked = os.environ.get(FUZZ_EXAMPLES_ENV, "").strip()
    long_run = asked.isdigit() and int(asked) > 0
    return settings(
        max_examples=int(asked) if long_run else ci_examples,
        derandomize=not long_run,
        deadline=None,  # a real server answers in milliseconds, sometimes in a second: no flakes
        database=None,  # no example database: CI runs are derandomized, a failure prints its blob
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
