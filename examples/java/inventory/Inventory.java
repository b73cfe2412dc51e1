// The inventory example (see ../../python) in Java: items, the stock that holds them, a report.
package inventory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class Inventory {
    static final int DEFAULT_REORDER_LEVEL = 5;

    record Item(String sku, String name, int priceCents) {
        double price() {
            return priceCents / 100.0;
        }
    }

    static class Stock {
        final Map<String, Integer> counts = new HashMap<>();
        int reorderLevel = DEFAULT_REORDER_LEVEL;

        void add(Item item, int quantity) {
            if (quantity <= 0) {
                throw new IllegalArgumentException("cannot add " + quantity + " of " + item.sku());
            }
            counts.merge(item.sku(), quantity, Integer::sum);
        }

        boolean take(Item item, int quantity) {
            int have = counts.getOrDefault(item.sku(), 0);
            if (have < quantity) {
                return false;
            }
            counts.put(item.sku(), have - quantity);
            return true;
        }

        boolean needsReorder(Item item) {
            return counts.getOrDefault(item.sku(), 0) < reorderLevel;
        }
    }

    static List<Item> lowStock(Stock stock, List<Item> items) {
        List<Item> low = new ArrayList<>();
        for (Item item : items) {
            if (stock.needsReorder(item)) {
                low.add(item);
            }
        }
        low.sort(Comparator.comparingInt(Item::priceCents));
        return low;
    }

    static String render(Stock stock, List<Item> items) {
        StringBuilder out = new StringBuilder();
        for (Item item : items) {
            out.append(item.sku()).append(' ').append(item.name()).append(' ')
                .append(stock.counts.getOrDefault(item.sku(), 0)).append('\n');
        }
        return out.toString();
    }

    public static void main(String[] args) {
        Stock stock = new Stock();
        Item beans = new Item("B1", "café crème beans", 1250);
        stock.add(beans, 3);
        System.out.print(render(stock, lowStock(stock, List.of(beans))));
    }
}
