// Inventory tracking for a small shop.
import { EventEmitter } from "events";
import fs from "fs";

const MAX_ITEMS = 500;
const DEFAULT_LOCATION = "warehouse";

/**
 * One product kept in stock.
 */
class Item {
  count = 0;
  #secret = "hidden";

  constructor(name, price = 0) {
    this.name = name;
    this.price = price;
  }

  get total() {
    return this.count * this.price;
  }

  restock(amount) {
    this.count += amount;
    return this;
  }

  static compare(a, b) {
    return a.total - b.total;
  }
}

class Inventory extends EventEmitter {
  constructor() {
    super();
    this.items = new Map();
  }

  add(item) {
    if (this.items.size >= MAX_ITEMS) {
      throw new Error("inventory full");
    }
    this.items.set(item.name, item);
    this.emit("added", item);
  }

  *[Symbol.iterator]() {
    yield* this.items.values();
  }
}

function loadInventory(path) {
  const data = JSON.parse(fs.readFileSync(path, "utf8"));
  const inventory = new Inventory();
  for (const entry of data) {
    inventory.add(new Item(entry.name, entry.price).restock(entry.count));
  }
  return inventory;
}

const formatPrice = (value) => `$${value.toFixed(2)}`;

export { Item, Inventory, loadInventory, formatPrice, DEFAULT_LOCATION };
