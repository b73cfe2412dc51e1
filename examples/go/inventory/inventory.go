// Package inventory is the inventory example (see ../../python) in Go: items, the stock that
// holds them, a report.
package inventory

import (
	"fmt"
	"sort"
	"strings"
)

const DefaultReorderLevel = 5

// Item is one kind of thing we keep.
type Item struct {
	SKU        string
	Name       string
	PriceCents int
}

func (item Item) Price() float64 {
	return float64(item.PriceCents) / 100
}

// Stock is how many of each item we have.
type Stock struct {
	Counts       map[string]int
	ReorderLevel int
}

func NewStock() *Stock {
	return &Stock{Counts: map[string]int{}, ReorderLevel: DefaultReorderLevel}
}

func (stock *Stock) Add(item Item, quantity int) error {
	if quantity <= 0 {
		return fmt.Errorf("cannot add %d of %s", quantity, item.SKU)
	}
	stock.Counts[item.SKU] += quantity
	return nil
}

func (stock *Stock) Take(item Item, quantity int) bool {
	have := stock.Counts[item.SKU]
	if have < quantity {
		return false
	}
	stock.Counts[item.SKU] = have - quantity
	return true
}

func (stock *Stock) NeedsReorder(item Item) bool {
	return stock.Counts[item.SKU] < stock.ReorderLevel
}

func LowStock(stock *Stock, items []Item) []Item {
	var low []Item
	for _, item := range items {
		if stock.NeedsReorder(item) {
			low = append(low, item)
		}
	}
	sort.Slice(low, func(i, j int) bool { return low[i].PriceCents < low[j].PriceCents })
	return low
}

func render(stock *Stock, items []Item) string {
	var lines []string
	for _, item := range items {
		lines = append(lines, fmt.Sprintf("%s %s %d", item.SKU, item.Name, stock.Counts[item.SKU]))
	}
	return strings.Join(lines, "\n")
}
