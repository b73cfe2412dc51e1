"""Reports over a stock."""

from __future__ import annotations

import json
from collections.abc import Iterable

from inventory.models import Item, Stock

# Columns of the plain-text report, in order.
COLUMNS = ("sku", "name", "count")


def low_stock(stock: Stock, items: Iterable[Item]) -> list[Item]:
    """Items below their reorder level, cheapest first."""
    return sorted((item for item in items if stock.needs_reorder(item)), key=lambda item: item.price_cents)


def render(stock: Stock, items: Iterable[Item], as_json: bool = False) -> str:
    rows = [(item.sku, item.name, stock.counts.get(item.sku, 0)) for item in items]
    if as_json:
        return json.dumps([dict(zip(COLUMNS, row)) for row in rows], ensure_ascii=False)
    width = max((len(name) for _, name, _ in rows), default=4)
    lines = [f"{sku:<8} {name:<{width}} {count:>5}" for sku, name, count in rows]
    return "\n".join(lines)
