package shop.orders

import scala.collection.mutable
import scala.util.{Try, Success}

/** Kinds of payment a customer can make. */
sealed trait Payment {
  def amount: BigDecimal
  def describe(): String = s"paid $amount"
}

case class Card(number: String, amount: BigDecimal) extends Payment
case class Cash(amount: BigDecimal) extends Payment

enum Status {
  case Open, Shipped
  case Cancelled
}

// A single order and its lines.
class Order(val id: Int, customer: String) {
  private var lines = mutable.ListBuffer.empty[(String, Int)]
  val createdBy: String = customer

  def add(item: String, qty: Int = 1): Order = {
    lines += ((item, qty))
    this
  }

  def total(prices: Map[String, Double]): Double =
    lines.map { case (item, qty) => prices(item) * qty }.sum
}

object Order {
  val MaxLines = 50
  type Prices = Map[String, Double]

  def apply(id: Int): Order = new Order(id, "guest")
}

def checkout(order: Order, payment: Payment): Try[String] =
  Try(payment.describe())

val isOpen = true
val double = (x: Int) => x * 2

@main def run(): Unit =
  val order = Order(1).add("book").add("pen", 3)
  println(checkout(order, Cash(BigDecimal(10))))
