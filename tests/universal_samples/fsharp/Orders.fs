/// Orders placed in the shop.
module Shop.Orders

open System
open System.Collections.Generic

[<Literal>]
let MaxItems = 20

let taxRate = 0.2m

type Status =
    | Pending
    | Shipped of DateTime
    | Cancelled of reason: string

type Line = { Product: string; Quantity: int; Price: decimal }

type IPriced =
    abstract member Total: unit -> decimal

type Order(id: int, customer: string) =
    let lines = List<Line>()
    member val Status = Pending with get, set
    member this.Id = id
    member this.Add(line: Line) =
        if lines.Count >= MaxItems then failwith "too many lines"
        lines.Add line
    interface IPriced with
        member this.Total() =
            lines |> Seq.sumBy (fun l -> l.Price * decimal l.Quantity)

// Helpers over many orders.
module Reports =
    let totalOf (order: IPriced) = order.Total()

    let largest (orders: Order list) =
        orders |> List.maxBy (fun o -> (o :> IPriced).Total())

let describe status =
    match status with
    | Pending -> "pending"
    | Shipped date -> sprintf "shipped on %O" date
    | Cancelled reason -> "cancelled: " + reason
