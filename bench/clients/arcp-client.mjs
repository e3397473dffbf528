// Benchmark load generator (plain JS, its own process): speaks ARCP over ws and reports JSON
// on stdout. Modes:
//   events URL N BYTES            one session, one chatty job of N events; events/s to this client
//   latency URL N                 one session, N sequential submits; submit->accepted percentiles
//   jobs URL SESSIONS SECONDS W   SESSIONS sessions, W echo jobs in flight each; jobs/s
//   idle URL SESSIONS             open SESSIONS idle sessions, report "ready", hold until stdin ends
//   replay URL SID TOKEN          resume SID from seq 0 and time the replay
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const [mode, url, ...args] = process.argv.slice(2);
let nextId = 0;
const id = () => `msg_${(nextId++).toString(36)}`;

function open(onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let sessionId;
    const send = (type, payload, extra = {}) =>
      ws.send(
        JSON.stringify({ arcp: "1.1", id: id(), type, session_id: sessionId, ...extra, payload }),
      );
    ws.on("error", reject);
    ws.on("open", () =>
      ws.send(
        JSON.stringify({
          arcp: "1.1",
          id: id(),
          type: "session.hello",
          payload: {
            client: { name: "bench", version: "1" },
            auth: { scheme: "bearer", token: "bench" },
            capabilities: {
              encodings: ["json"],
              features: ["ack", "list_jobs", "subscribe", "progress", "result_chunk"],
            },
          },
        }),
      ),
    );
    ws.on("message", (data) => {
      const text = data.toString();
      if (sessionId === undefined) {
        const env = JSON.parse(text);
        if (env.type !== "session.welcome") return reject(new Error(text));
        sessionId = env.session_id;
        return resolve({ ws, send, sessionId, token: env.payload.resume_token });
      }
      onMessage(text);
    });
  });
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function events(n, bytes) {
  let count = 0;
  let t0 = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const s = await open((text) => {
    // Cheap classification: the type sits at a fixed place in our envelopes.
    if (text.includes('"type":"job.event"')) count++;
    else if (text.includes('"type":"job.accepted"')) t0 = performance.now();
    else if (text.includes('"type":"job.result"')) done(performance.now());
  });
  s.send("job.submit", { agent: "chatty", input: { events: n, bytes } });
  const t1 = await finished;
  s.ws.close();
  return {
    events: count,
    seconds: (t1 - t0) / 1000,
    events_per_sec: Math.round(count / ((t1 - t0) / 1000)),
    session_id: s.sessionId,
    resume_token: s.token,
  };
}

async function latency(n) {
  const samples = [];
  let resolveAccepted;
  const s = await open((text) => {
    if (text.includes('"type":"job.accepted"')) resolveAccepted(performance.now());
  });
  for (let i = 0; i < n; i++) {
    const accepted = new Promise((r) => (resolveAccepted = r));
    const t0 = performance.now();
    s.send("job.submit", { agent: "echo", input: { i } });
    samples.push((await accepted) - t0);
  }
  s.ws.close();
  const sorted = samples.slice(Math.floor(n / 10)).sort((a, b) => a - b);
  return {
    submits: n,
    p50_ms: pct(sorted, 0.5),
    p90_ms: pct(sorted, 0.9),
    p99_ms: pct(sorted, 0.99),
  };
}

async function jobs(sessions, seconds, window) {
  let completed = 0;
  let stop = false;
  const all = [];
  for (let i = 0; i < sessions; i++) {
    let s;
    s = await open((text) => {
      if (text.includes('"type":"job.result"')) {
        completed++;
        if (!stop) s.send("job.submit", { agent: "echo", input: { i } });
      }
    });
    all.push(s);
  }
  const t0 = performance.now();
  for (const s of all)
    for (let w = 0; w < window; w++) s.send("job.submit", { agent: "echo", input: { w } });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  const elapsed = (performance.now() - t0) / 1000;
  const rate = Math.round(completed / elapsed);
  for (const s of all) s.ws.close();
  return { sessions, window, jobs: completed, seconds: elapsed, jobs_per_sec: rate };
}

async function idle(sessions) {
  const all = [];
  for (let i = 0; i < sessions; i++) all.push(await open(() => {}));
  process.stdout.write(`${JSON.stringify({ ready: sessions })}\n`);
  await new Promise((r) => process.stdin.on("end", r).resume());
  for (const s of all) s.ws.close();
  return { closed: sessions };
}

async function replay(sid, token, expected) {
  let count = 0;
  let t0 = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on("open", () => {
    t0 = performance.now();
    ws.send(
      JSON.stringify({
        arcp: "1.1",
        id: id(),
        type: "session.hello",
        payload: {
          client: { name: "bench", version: "1" },
          auth: { scheme: "bearer", token: "bench" },
          capabilities: { encodings: ["json"], features: ["progress", "result_chunk"] },
          resume: { session_id: sid, resume_token: token, last_event_seq: 0 },
        },
      }),
    );
  });
  ws.on("message", (data) => {
    if (data.toString().includes('"event_seq"') && ++count === expected) done(performance.now());
  });
  const t1 = await finished;
  ws.close();
  return {
    replayed: count,
    seconds: (t1 - t0) / 1000,
    events_per_sec: Math.round(count / ((t1 - t0) / 1000)),
  };
}

const n = (i) => Number(args[i]);
const result =
  mode === "events"
    ? await events(n(0), n(1))
    : mode === "latency"
      ? await latency(n(0))
      : mode === "jobs"
        ? await jobs(n(0), n(1), n(2))
        : mode === "idle"
          ? await idle(n(0))
          : mode === "replay"
            ? await replay(args[0], args[1], n(2))
            : (() => {
                throw new Error(`unknown mode ${mode}`);
              })();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
