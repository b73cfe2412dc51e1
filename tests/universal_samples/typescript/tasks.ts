import { EventEmitter } from "events";

export const DEFAULT_PRIORITY = 3;

export type TaskId = string;

export enum Status {
  Open,
  InProgress = "in-progress",
  Done = "done",
}

export interface Task {
  id: TaskId;
  title: string;
  status: Status;
  complete(): void;
}

namespace Validation {
  export function isValidTitle(title: string): boolean {
    return title.trim().length > 0;
  }
}

export abstract class Store<T extends Task> extends EventEmitter {
  protected readonly items = new Map<TaskId, T>();
  private static instances = 0;

  constructor(private readonly name: string) {
    super();
    Store.instances += 1;
  }

  abstract create(title: string): T;

  add(task: T): void {
    if (!Validation.isValidTitle(task.title)) {
      throw new Error(`invalid title in ${this.name}`);
    }
    this.items.set(task.id, task);
    this.emit("added", task);
  }

  find(id: TaskId): T | undefined {
    return this.items.get(id);
  }
}

export function summarize(tasks: Task[], ...extra: string[]): string {
  const open = tasks.filter((task) => task.status !== Status.Done);
  return [`${open.length} open`, ...extra].join(", ");
}
