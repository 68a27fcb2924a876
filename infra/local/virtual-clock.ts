import type { Clock } from '../../shared/ports.js';

/**
 * A clock that starts at a chosen instant and runs at a chosen speed, so that a reporting year can
 * be played on the local stack (`npm start -- --now 2021-03-14T08:00:00+07:00 --speed 60`).
 * `set` and `advance` jump (the demo and tests use them).
 */
export class VirtualClock implements Clock {
  private baseVirtual: number;
  private baseReal: number;

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
  }

  advance(ms: number): void {
    this.set(new Date(this.now().getTime() + ms));
  }

  get rate(): number {
    return this.speed;
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`Clock speed must be a positive number, got ${speed}`);
    this.set(this.now());
    this.speed = speed;
  }
}
