import type { ClockSnapshot } from '../../shared/runtime/local-connection.js';
import type { Clock } from '../../shared/application/ports.js';

/**
 * A clock that starts at a chosen instant and runs at a chosen speed, so that a reporting year can
 * be played on the local stack (`npm start -- --now 2021-03-14T08:00:00+07:00 --speed 60`).
 * `set` and `advance` jump (the demo and tests use them).
 */
export class VirtualClock implements Clock {
  private baseVirtual: number;
  private baseReal: number;
  private readonly listeners: ((s: ClockSnapshot) => void)[] = [];

  constructor(
    start: Date = new Date(),
    private speed = 1,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`Clock speed must be a positive number, got ${speed}`);
    this.baseVirtual = start.getTime();
    this.baseReal = realNow();
  }

  now(): Date {
    return new Date(this.baseVirtual + (this.realNow() - this.baseReal) * this.speed);
  }

  /** The virtual instant that corresponded to a real one (since the last jump). */
  toVirtual(real: Date): Date {
    return new Date(this.baseVirtual + (real.getTime() - this.baseReal) * this.speed);
  }

  /** Jumps to an instant (never used to go backwards by the pipeline itself). */
  set(instant: Date): void {
    this.baseVirtual = instant.getTime();
    this.baseReal = this.realNow();
    for (const l of this.listeners) l(this.snapshot());
  }

  /** The clock's anchor and speed: another process computes the same "now" from it (see clockFromSnapshot). */
  snapshot(): ClockSnapshot {
    return { virtualAt: new Date(this.baseVirtual).toISOString(), realAt: new Date(this.baseReal).toISOString(), speed: this.speed };
  }

  /** Called after every jump or change of speed (the local stack rewrites stack.json). */
  onChange(listener: (s: ClockSnapshot) => void): void {
    this.listeners.push(listener);
  }

  advance(ms: number): void {
    this.set(new Date(this.now().getTime() + ms));
  }

  get rate(): number {
    return this.speed;
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`Clock speed must be a positive number, got ${speed}`);
    this.baseVirtual = this.now().getTime();
    this.baseReal = this.realNow();
    this.speed = speed;
    for (const l of this.listeners) l(this.snapshot());
  }
}
