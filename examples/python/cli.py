#!/usr/bin/env python3
"""Print a low-stock report for a few sample items."""

import sys

from inventory import Item, Stock, low_stock, render


def main(argv: list[str]) -> int:
    beans = Item("B-001", "café crème beans", 1299)
    filters = Item("F-010", "paper filters", 349)
    stock = Stock()
    stock.add(beans, 3)
    stock.add(filters, 40)
    print(render(stock, low_stock(stock, [beans, filters]), as_json="--json" in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
