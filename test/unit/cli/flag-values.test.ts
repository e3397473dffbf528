/** Strict reading of flag and variable values: booleans, whole numbers in range, lists. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { booleanFlag, integerFlag, listFlag, parseBoolean } from "../../../src/cli/flag-values.js";
import { runtimeSettings } from "../../../src/cli/options.js";

describe("flag values", () => {
  test("boolean variables read true/1/yes and false/0/no/empty, any case; anything else is a ConfigError naming them", () => {
    for (const v of ["true", "1", "yes", "YES", " True "])
      assert.equal(parseBoolean(v, "X"), true, v);
    for (const v of ["false", "0", "no", "", "FALSE"]) assert.equal(parseBoolean(v, "X"), false, v);
    for (const v of ["on", "2", "maybe"]) {
      assert.throws(
        () => parseBoolean(v, "RUNPLANE_X"),
        (err: Error) => err.name === "ConfigError" && /RUNPLANE_X/.test(err.message),
      );
    }
  });

  test("a boolean flag wins; without it the variable decides, unset meaning off", () => {
    assert.equal(booleanFlag(true, "V", { V: "false" }), true);
    assert.equal(booleanFlag(undefined, "V", { V: "false" }), false);
    assert.equal(booleanFlag(undefined, "V", { V: "0" }), false);
    assert.equal(booleanFlag(undefined, "V", { V: "" }), false);
    assert.equal(booleanFlag(undefined, "V", { V: "yes" }), true);
    assert.equal(booleanFlag(undefined, "V", {}), false);
  });

  test("whole numbers must be digits within their range; the error names the flag", () => {
    const range = { min: 0, max: 10 };
    assert.equal(integerFlag(undefined, "--n", range), undefined);
    assert.equal(integerFlag(" 7 ", "--n", range), 7);
    for (const bad of ["abc", "", "1.5", "-1", "11", "1e3", "0x5", "NaN", "Infinity"]) {
      assert.throws(
        () => integerFlag(bad, "--n / RUNPLANE_N", range),
        (err: Error) => err.name === "ConfigError" && /--n \/ RUNPLANE_N/.test(err.message),
        bad,
      );
    }
  });

  test("list flags take the repeated values, then the variable's comma-separated entries", () => {
    assert.deepEqual(listFlag(["a"], "L", { L: " b, ,c " }), ["a", "b", "c"]);
    assert.deepEqual(listFlag(undefined, "L", {}), []);
  });

  test("every numeric runtime flag is validated, and RUNPLANE_REQUIRE_MODEL_USE=false means off", () => {
    const flags = { logLevel: "info" };
    for (const [key, name] of [
      ["resumeWindow", "--resume-window"],
      ["heartbeatInterval", "--heartbeat-interval"],
      ["maxMessageBytes", "--max-message-bytes"],
      ["maxSessionsPerPrincipal", "--max-sessions-per-principal"],
      ["maxLiveJobsPerSession", "--max-live-jobs-per-session"],
      ["backPressureEvents", "--back-pressure-events"],
      ["maxBacklogEvents", "--max-backlog-events"],
      ["consumerStall", "--consumer-stall"],
      ["maxQueueBytes", "--max-queue-bytes"],
      ["jobRetention", "--job-retention"],
      ["credentialRotate", "--credential-rotate"],
    ] as const) {
      assert.throws(
        () => runtimeSettings({ ...flags, [key]: "abc" }, {}),
        (err: Error) => err.name === "ConfigError" && err.message.startsWith(name),
        key,
      );
    }
    assert.throws(() => runtimeSettings({ ...flags, heartbeatInterval: "0" }, {}), {
      name: "ConfigError",
    });
    assert.deepEqual(runtimeSettings({ ...flags, jobRetention: "60", credentialRotate: "0" }, {}), {
      jobRetentionSec: 60,
      credentialRotateSec: 0,
    });
    assert.deepEqual(
      runtimeSettings(
        {
          ...flags,
          maxLiveJobsPerSession: "10",
          backPressureEvents: "500",
          maxBacklogEvents: "5000",
          consumerStall: "5",
          maxQueueBytes: "1048576",
        },
        {},
      ),
      {
        maxLiveJobsPerSession: 10,
        backPressureEvents: 500,
        maxBacklogEvents: 5000,
        consumerStallSec: 5,
        maxQueueBytes: 1_048_576,
      },
    );
    assert.deepEqual(runtimeSettings(flags, { RUNPLANE_REQUIRE_MODEL_USE: "false" }), {});
    assert.deepEqual(runtimeSettings(flags, { RUNPLANE_REQUIRE_MODEL_USE: "1" }), {
      requireModelUse: true,
    });
    assert.deepEqual(runtimeSettings(flags, { RUNPLANE_OBSERVERS: "ops,audit" }), {
      visibility: { kind: "observers", principals: ["ops", "audit"] },
    });
  });
});
