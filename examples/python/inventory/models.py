"""Items and the stock that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_REORDER_LEVEL = 5


@dataclass(frozen=True)
class Item:
    """One kind of thing we keep, e.g. « café crème » beans."""

    sku: str
    name: str
    price_cents: int

    def price(self) -> float:
        return self.price_cents / 100


@dataclass
class Stock:
    """How many of each item we have."""

    counts: dict[str, int] = field(default_factory=dict)
    reorder_level: int = DEFAULT_REORDER_LEVEL

    def add(self, item: Item, quantity: int = 1) -> None:
        if quantity <= 0:
            raise ValueError(f"cannot add {quantity} of {item.sku}")
        self.counts[item.sku] = self.counts.get(item.sku, 0) + quantity

    def take(self, item: Item, quantity: int = 1) -> bool:
        have = self.counts.get(item.sku, 0)
        if have < quantity:
            return False
        self.counts[item.sku] = have - quantity
        return True

    def needs_reorder(self, item: Item) -> bool:
        return self.counts.get(item.sku, 0) < self.reorder_level
