(* A bounded job queue with priorities. *)
open Printf
module SMap = Map.Make (String)

let max_jobs = 64
let verbose = ref false

type priority = Low | Normal | High

type job = {
  name : string;
  priority : priority;
  mutable attempts : int;
}

exception Queue_full of string

(** Signature of a queue of jobs. *)
module type QUEUE = sig
  type t
  val empty : t
  val push : job -> t -> t
end

module Job_queue : QUEUE = struct
  type t = job list

  let empty = []

  let push job queue =
    if List.length queue >= max_jobs then raise (Queue_full job.name)
    else job :: queue
end

class counter start = object (self)
  val mutable count = start
  method incr = count <- count + 1; self#value
  method value = count
end

let rank = function
  | Low -> 0
  | Normal -> 1
  | High -> 2

let describe ?(prefix = "job") job =
  sprintf "%s %s (%d tries)" prefix job.name job.attempts

let by_rank jobs = List.sort (fun a b -> compare (rank b.priority) (rank a.priority)) jobs

let () =
  let job = { name = "build"; priority = High; attempts = 0 } in
  print_endline (describe job)
