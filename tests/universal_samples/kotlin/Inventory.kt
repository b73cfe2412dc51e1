package com.example.inventory

import kotlin.math.max
import java.time.Instant as Clock

/** The most items a shelf may hold. */
const val MAX_ITEMS = 100

val defaultTags = listOf("new", "sale")

// What every stored thing can tell about itself.
interface Describable {
    val label: String
    fun describe(): String
}

enum class Category { FOOD, TOOLS, TOYS }

data class Item(val name: String, val price: Double, var quantity: Int = 0)

class Shelf(private val capacity: Int) : Describable {
    override val label = "shelf"
    private val items = mutableListOf<Item>()

    constructor() : this(MAX_ITEMS)

    fun add(item: Item): Boolean {
        if (items.size >= capacity) return false
        items += item
        return true
    }

    fun total(): Double = items.sumOf { it.price * it.quantity }

    override fun describe(): String = "Shelf with ${items.size} items"

    companion object {
        fun empty() = Shelf(0)
    }
}

object Registry {
    private val shelves = mutableMapOf<String, Shelf>()

    fun register(name: String, shelf: Shelf) {
        shelves[name] = shelf
    }
}

fun String.shout(): String = uppercase() + "!"

fun cheapest(items: List<Item>, limit: Int = 3): List<Item> {
    val byPrice = items.sortedBy { item -> item.price }
    return byPrice.take(max(limit, 0))
}

fun main() {
    val shelf = Shelf()
    shelf.add(Item("apple", 0.5, 10))
    println(shelf.describe().shout())
}
