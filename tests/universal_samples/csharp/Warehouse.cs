using System;
using System.Collections.Generic;
using System.Linq;

namespace Store.Inventory
{
    /// <summary>Something that has a price.</summary>
    public interface IPriced
    {
        decimal Price { get; }
        decimal PriceWithTax(decimal rate);
    }

    public enum Category
    {
        Food,
        Tools,
        Toys = 10,
    }

    public delegate void StockChanged(string sku, int quantity);

    public record Item(string Sku, string Name, Category Category);

    public class Warehouse : IPriced
    {
        public const int MaxShelves = 40;
        private readonly Dictionary<string, int> stock = new();
        private decimal total;

        public event StockChanged Changed;

        public string Name { get; }
        public decimal Price => total;

        public Warehouse(string name)
        {
            Name = name;
        }

        // Adds items, and tells whoever listens.
        public void Add(Item item, int quantity = 1)
        {
            stock[item.Sku] = stock.TryGetValue(item.Sku, out var count) ? count + quantity : quantity;
            total += quantity;
            Changed?.Invoke(item.Sku, stock[item.Sku]);
        }

        public decimal PriceWithTax(decimal rate) => total * (1 + rate);

        public IEnumerable<string> LowStock(int threshold)
        {
            return stock.Where(pair => pair.Value < threshold).Select(pair => pair.Key);
        }

        private struct Shelf
        {
            public int Number;
            public string Label;
        }
    }

    public static class Extensions
    {
        public static bool IsEmpty(this Warehouse warehouse) => !warehouse.LowStock(int.MaxValue).Any();
    }
}
