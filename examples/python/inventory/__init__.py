"""A small inventory package: the example tree that the README's first command searches."""

from inventory.models import Item, Stock
from inventory.reports import low_stock, render

__all__ = ["Item", "Stock", "low_stock", "render"]
