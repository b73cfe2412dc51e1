// The inventory example (see ../python) in JavaScript: items, the stock that holds them, a report.

const DEFAULT_REORDER_LEVEL = 5;

class Item {
  constructor(sku, name, priceCents) {
    this.sku = sku;
    this.name = name;
    this.priceCents = priceCents;
  }

  price() {
    return this.priceCents / 100;
  }
}

class Stock {
  constructor(reorderLevel = DEFAULT_REORDER_LEVEL) {
    this.counts = new Map();
    this.reorderLevel = reorderLevel;
  }

  add(item, quantity = 1) {
    if (quantity <= 0) {
      throw new Error(`cannot add ${quantity} of ${item.sku}`);
    }
    this.counts.set(item.sku, (this.counts.get(item.sku) || 0) + quantity);
  }

  take(item, quantity = 1) {
    const have = this.counts.get(item.sku) || 0;
    if (have < quantity) {
      return false;
    }
    this.counts.set(item.sku, have - quantity);
    return true;
  }

  needsReorder(item) {
    return (this.counts.get(item.sku) || 0) < this.reorderLevel;
  }
}

function lowStock(stock, items) {
  return items.filter((item) => stock.needsReorder(item)).sort((a, b) => a.priceCents - b.priceCents);
}

function render(stock, items) {
  return items.map((item) => `${item.sku} ${item.name} ${stock.counts.get(item.sku) || 0}`).join("\n");
}

function main() {
  const stock = new Stock();
  const beans = new Item("B1", "café crème beans", 1250);
  stock.add(beans, 3);
  console.log(render(stock, lowStock(stock, [beans])));
}

module.exports = { Item, Stock, lowStock, render, main };
