"""Module doc."""
import os
import sys
from typing import (
    Any,
    List,
)

# A comment
# on two lines
MAX_SIZE = 10
name: str = "é𝓏"
a, b = 1, 2


@decorator
class Café(Base):
    """Docstring
    spanning lines."""
    field = 1
    CONST = 2

    def __init__(self, x):
        self.x = x

    async def method(self):
        def inner():
            return 1
        return inner


def top(a, *args, b=2, **kw) -> int:
    if a:
        return 1
    else:
        return 2
