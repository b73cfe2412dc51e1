"""Selection ranges: the extents of the nodes around a position, innermost first."""

from __future__ import annotations

from collections.abc import Sequence

from driver_runtime.sdk.structure import NO_EXTENT, Structure


def enclosing(structure: Structure, offset: int,
              extra: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Distinct (start, end) spans that contain offset, innermost first, the whole text last.

    `extra` spans (whole definitions, from the outline) join the nodes' extents.

    A position touching a node's end still selects it (the cursor right after an identifier
    selects the identifier), as editors expect.
    """
    size = structure.size
    spans = {(start, end) for start, end in zip(structure.starts, structure.ends)
             if start != NO_EXTENT and start <= offset <= end and end > start}
    spans.update(span for span in extra if span[0] <= offset <= span[1] and span[1] > span[0])
    spans.add((0, size))
    ordered = sorted(spans, key=lambda span: (span[1] - span[0], -span[0]))
    # Keep a chain: each span must contain the previous one (siblings that merely touch the
    # offset at a boundary are dropped in favour of the one met first).
    chain: list[tuple[int, int]] = []
    for start, end in ordered:
        if chain and not (start <= chain[-1][0] and chain[-1][1] <= end):
            continue
        chain.append((start, end))
    return chain
