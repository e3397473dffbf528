// An ES module of agents for `runplane serve --agents examples/my-agents.mjs`.
// Agents reach the world only through the context; every operation is checked against the lease.
// (Inside this repository you may also import defineAgent from "../dist/index.js"; it is an
// identity helper, so a plain object works just as well.)

export const summarise = {
  name: "summarise",
  version: "1.0.0",
  description: "Fetches a page through the runtime and reports its size.",
  async run(input, ctx) {
    await ctx.log("info", `fetching ${input.url}`);
    const page = await ctx.net.fetch(input.url); // needs "net.fetch" in the lease
    await ctx.progress(1, { total: 1, units: "pages" });
    return { url: input.url, status: page.status, bytes: page.body.length };
  },
};

export default [summarise];
