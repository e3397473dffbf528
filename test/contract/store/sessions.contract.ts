/** Store contract: sessions (§6), resume-token rotation, detach sweeps, lifecycle. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventRange, jobRecord, sessionRecord, type WithStore } from "./fixtures.js";

export function sessionContract(withStore: WithStore): void {
  test("a created session reads back equal; an unknown id reads undefined", () =>
    withStore(async (store) => {
      const session = sessionRecord("sess_1", {
        origin: "arp",
        detachedAt: 5,
        lastSeq: 3,
        ackedSeq: 2,
      });
      await store.createSession(session);
      assert.deepEqual(await store.getSession("sess_1"), session);
      assert.equal(await store.getSession("sess_missing"), undefined);
    }));

  test("creating a session with an existing id is rejected and keeps the first", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await assert.rejects(store.createSession(sessionRecord("sess_1", { principal: "mallory" })));
      assert.equal((await store.getSession("sess_1"))?.principal, "alice");
    }));

  test("[arcp-6.3-token-rotates] rotation is compare-and-set: the old hash cannot rotate twice", () =>
    withStore(async (store) => {
      const first = "1".repeat(64);
      await store.createSession(sessionRecord("sess_1", { resumeTokenHash: first }));
      assert.equal(await store.rotateResumeToken("sess_1", first, "2".repeat(64)), true);
      assert.equal(await store.rotateResumeToken("sess_1", first, "3".repeat(64)), false);
      assert.equal((await store.getSession("sess_1"))?.resumeTokenHash, "2".repeat(64));
      assert.equal(await store.rotateResumeToken("sess_missing", first, "4".repeat(64)), false);
    }));

  test("detaching records the time and re-attaching clears it", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await store.setSessionDetached("sess_1", 1234);
      assert.equal((await store.getSession("sess_1"))?.detachedAt, 1234);
      await store.setSessionDetached("sess_1", null);
      assert.equal((await store.getSession("sess_1"))?.detachedAt, null);
      await store.setSessionDetached("sess_missing", 1);
      assert.equal(await store.getSession("sess_missing"), undefined);
    }));

  test("[arcp-6.3-window-expired] detachAttachedSessions stamps every attached session, and only those", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_attached_1"));
      await store.createSession(sessionRecord("sess_attached_2"));
      await store.createSession(sessionRecord("sess_detached", { detachedAt: 100 }));
      assert.equal(await store.detachAttachedSessions(500), 2);
      assert.equal((await store.getSession("sess_attached_1"))?.detachedAt, 500);
      assert.equal((await store.getSession("sess_attached_2"))?.detachedAt, 500);
      assert.equal((await store.getSession("sess_detached"))?.detachedAt, 100);
      assert.deepEqual(
        (await store.listDetachedSessions(600, 10)).map((s) => s.id),
        ["sess_detached", "sess_attached_1", "sess_attached_2"],
      );
      assert.equal(await store.detachAttachedSessions(700), 0);
    }));

  test("[arcp-6.5-ack] the acked seq is recorded and only ever raised", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await store.setSessionAcked("sess_1", 7);
      assert.equal((await store.getSession("sess_1"))?.ackedSeq, 7);
      await store.setSessionAcked("sess_1", 5);
      assert.equal((await store.getSession("sess_1"))?.ackedSeq, 7);
    }));

  test("detached sessions before a cutoff are listed oldest first, limited", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_a", { detachedAt: 300 }));
      await store.createSession(sessionRecord("sess_b", { detachedAt: 100 }));
      await store.createSession(sessionRecord("sess_c", { detachedAt: 200 }));
      await store.createSession(sessionRecord("sess_d", { detachedAt: 100 }));
      await store.createSession(sessionRecord("sess_attached"));
      await store.createSession(sessionRecord("sess_late", { detachedAt: 1000 }));
      const ids = async (before: number, limit: number) =>
        (await store.listDetachedSessions(before, limit)).map((s) => s.id);
      assert.deepEqual(await ids(500, 10), ["sess_b", "sess_d", "sess_c", "sess_a"]);
      assert.deepEqual(await ids(500, 2), ["sess_b", "sess_d"]);
      assert.deepEqual(await ids(200, 10), ["sess_b", "sess_d"]);
      assert.deepEqual(await ids(500, 0), []);
    }));

  test("deleting a session drops its log but keeps the history of jobs that still exist", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await store.createJob(jobRecord("job_1"));
      await store.appendEvents([
        ...eventRange("sess_1", 1, 3, "job_1"),
        ...eventRange("sess_1", 4, 5, "job_gone"),
      ]);
      await store.deleteSession("sess_1");
      assert.equal(await store.getSession("sess_1"), undefined);
      assert.deepEqual(
        (await store.readJobEvents("job_1", 0, 10)).map((e) => e.seq),
        [1, 2, 3],
      );
      assert.deepEqual(await store.readJobEvents("job_gone", 0, 10), []);
      await store.deleteSession("sess_missing");
    }));

  test("records handed in or out are copies: mutating them does not change the store", () =>
    withStore(async (store) => {
      const session = sessionRecord("sess_1");
      await store.createSession(session);
      session.features.push("mutated");
      const read = await store.getSession("sess_1");
      assert.ok(read);
      read.features.push("mutated");
      read.principal = "mallory";
      assert.deepEqual(await store.getSession("sess_1"), sessionRecord("sess_1"));
    }));

  test("health is ok while open; close is idempotent and later calls fail", () =>
    withStore(async (store) => {
      assert.equal((await store.health()).ok, true);
      await store.close();
      await store.close();
      assert.equal((await store.health()).ok, false);
      await assert.rejects(store.getSession("sess_1"));
    }));
}
