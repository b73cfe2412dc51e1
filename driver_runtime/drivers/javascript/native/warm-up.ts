// What parse.js reads while it waits for its first requests (its own source is the JavaScript
// sample): the TypeScript forms its parser and converter meet most, so that V8 has compiled them
// before an editor's first keystrokes.
import { EventEmitter } from 'events';
import type { Readable } from 'stream';

export enum Level { Low = 1, Middle, High = 'high' }

export interface Shape<T extends object = {}> {
  readonly id: string;
  size?: number;
  tags: Array<string> | null;
  meta: Record<string, T>;
  area(scale: number): number;
  [key: string]: unknown;
}

type Pair<A, B> = [first: A, second: B];
type Handler = (event: { name: string; at: Date }, ...rest: unknown[]) => Promise<void> | void;
type Keys<T> = { [K in keyof T]-?: T[K] extends Function ? never : K }[keyof T];

declare const registry: { sep: string; filter(pattern: string): boolean };

export abstract class Base<T> extends EventEmitter implements Shape<T & object> {
  static count = 0;
  private readonly cache = new Map<string, T>();
  protected level: Level = Level.Low;
  tags: string[] | null = null;
  meta: Record<string, T & object> = {};
  [key: string]: unknown;

  constructor(public readonly id: string, private handler?: Handler) {
    super();
    Base.count += 1;
  }

  abstract area(scale: number): number;

  get size(): number {
    return this.cache.size;
  }

  async load(source: Readable, limit = 10): Promise<Pair<number, string[]>> {
    const lines: string[] = [];
    for await (const chunk of source) {
      const text = String(chunk as Buffer).trim();
      if (!text || lines.length >= limit) continue;
      lines.push(text.replace(/\s+/g, ' '));
    }
    await this.handler?.({ name: 'load', at: new Date() }, lines.length);
    return [lines.length, lines];
  }

  find<K extends Keys<this>>(key: K, fallback?: T): T | undefined {
    try {
      return this.cache.get(String(key)) ?? fallback;
    } catch (error: unknown) {
      throw new Error(`no ${String(key)}: ${(error as Error).message}`);
    } finally {
      this.emit('find', key);
    }
  }
}

export class Square extends Base<{ side: number }> {
  constructor(id: string, private side = 1) {
    super(id);
  }

  area(scale: number): number {
    const { side } = this;
    return side * side * (scale > 0 ? scale : 1);
  }
}

export function largest<T extends { area(scale: number): number }>(shapes: readonly T[]): T | undefined {
  let best: T | undefined;
  for (let i = 0; i < shapes.length; i++) {
    const shape = shapes[i]!;
    if (!best || shape.area(1) > best.area(1)) best = shape;
  }
  return best;
}

export const byLevel = (levels: Level[]): Map<Level, number> =>
  levels.reduce((counts, level) => counts.set(level, (counts.get(level) ?? 0) + 1), new Map<Level, number>());

namespace Geometry {
  export const origin = { x: 0, y: 0 } as const;
  export function distance(a: typeof origin, b: { x: number; y: number }): number {
    return Math.hypot(a.x - b.x, a.y - b.y);
  }
}

export default Geometry;
