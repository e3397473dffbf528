/** Counting a session's unanswered submits (DESIGN-6), which a delegated child's announcement waits for. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { PendingSubmits } from "../../../../src/runtime/session/pending-submits.js";

describe("PendingSubmits (DESIGN-6)", () => {
  test("settled() is undefined when no submit is pending", () => {
    const submits = new PendingSubmits();
    assert.equal(submits.settled(), undefined);
    submits.received();
    submits.answered();
    assert.equal(submits.settled(), undefined);
  });

  test("waits for the submits received before it, not for later ones", async () => {
    const submits = new PendingSubmits();
    submits.received();
    submits.received();
    let settled = false;
    const waiting = submits.settled()?.then(() => {
      settled = true;
    });
    assert.ok(waiting !== undefined);
    submits.answered();
    // A steady stream of new submits must not keep the waiter from settling.
    submits.received();
    await nextTurn();
    assert.equal(settled, false, "one of the two earlier submits is still unanswered");
    submits.answered();
    await waiting;
    assert.equal(settled, true);
    assert.ok(submits.settled() !== undefined, "the later submit is still pending");
  });
});
