/**
 * The Store contract (CONVENTIONS 8): one suite that every adapter — memory, SQLite,
 * PostgreSQL — must pass, so that the port's promises hold identically everywhere.
 */
import { describe } from "node:test";
import type { Store } from "../../src/store/store.js";
import { eventContract } from "./store/events.contract.js";
import type { WithStore } from "./store/fixtures.js";
import { jobContract } from "./store/jobs.contract.js";
import { ledgerContract } from "./store/ledger.contract.js";
import { listingContract } from "./store/listing.contract.js";
import { sessionContract } from "./store/sessions.contract.js";

/** Register the whole contract for one adapter; `makeStore` returns a fresh, empty store. */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  const withStore: WithStore = async (body) => {
    const store = await makeStore();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };
  describe(`Store contract: ${name}`, () => {
    describe("sessions", () => sessionContract(withStore));
    describe("jobs", () => jobContract(withStore));
    describe("listing", () => listingContract(withStore));
    describe("events", () => eventContract(withStore));
    describe("ledger and audit", () => ledgerContract(withStore));
  });
}
