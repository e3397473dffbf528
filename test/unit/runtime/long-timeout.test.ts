/** setLongTimeout: delays past Node's 2^31-1 ms limit are armed in segments, never clamped. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Clock, Timer } from "../../../src/runtime/clock.js";
import { MAX_TIMER_MS, setLongTimeout } from "../../../src/runtime/long-timeout.js";
import { FakeClock } from "../../support/runtime-harness.js";

/** A fake clock that also records every delay it was asked to arm. */
function recordingClock(): { clock: Clock & FakeClock; armed: number[] } {
  const clock = new FakeClock();
  const armed: number[] = [];
  const set = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn: () => void, ms: number): Timer => {
    armed.push(ms);
    return set(fn, ms);
  };
  return { clock, armed };
}

const DAY = 86_400_000;

describe("setLongTimeout", () => {
  test("a 30-day delay arms at most 2^31-1 ms at a time and fires only when all of it has passed", () => {
    const { clock, armed } = recordingClock();
    let fired = 0;
    setLongTimeout(clock, () => fired++, 30 * DAY);
    assert.deepEqual(armed, [MAX_TIMER_MS]);
    clock.advance(MAX_TIMER_MS);
    assert.equal(fired, 0, "not after the first segment");
    assert.deepEqual(armed, [MAX_TIMER_MS, 30 * DAY - MAX_TIMER_MS]);
    clock.advance(30 * DAY - MAX_TIMER_MS - 1);
    assert.equal(fired, 0, "not 1 ms early");
    clock.advance(1);
    assert.equal(fired, 1);
    clock.advance(100 * DAY);
    assert.equal(fired, 1, "once only");
    assert.ok(armed.every((ms) => ms <= MAX_TIMER_MS));
  });

  test("a delay that needs several segments re-arms each time", () => {
    const { clock, armed } = recordingClock();
    let fired = 0;
    const total = 3 * MAX_TIMER_MS + 5;
    setLongTimeout(clock, () => fired++, total);
    clock.advance(total - 1);
    assert.equal(fired, 0);
    clock.advance(1);
    assert.equal(fired, 1);
    assert.deepEqual(armed, [MAX_TIMER_MS, MAX_TIMER_MS, MAX_TIMER_MS, 5]);
  });

  test("a short or negative delay is one ordinary timer", () => {
    const { clock, armed } = recordingClock();
    let fired = 0;
    setLongTimeout(clock, () => fired++, 1500);
    setLongTimeout(clock, () => fired++, -20);
    assert.deepEqual(armed, [1500, 0]);
    assert.equal(fired, 0, "never synchronously");
    clock.advance(1500);
    assert.equal(fired, 2);
  });

  test("clear() cancels in the first segment and in a later one", () => {
    const { clock } = recordingClock();
    let fired = 0;
    const early = setLongTimeout(clock, () => fired++, 40 * DAY);
    early.clear();
    const late = setLongTimeout(clock, () => fired++, 40 * DAY);
    clock.advance(MAX_TIMER_MS + 10);
    late.clear();
    late.clear();
    clock.advance(100 * DAY);
    assert.equal(fired, 0);
  });

  test("an infinite delay never fires", () => {
    const { clock } = recordingClock();
    let fired = 0;
    const timer = setLongTimeout(clock, () => fired++, Number.POSITIVE_INFINITY);
    clock.advance(5 * MAX_TIMER_MS);
    assert.equal(fired, 0);
    timer.clear();
  });
});
