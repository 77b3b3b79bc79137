// Shared helpers for the Node tests of the web data modules (node --test tests/web/).
//
// They run the modules from web/lib/ with the Firebase JS SDK (npm `firebase`) against the local
// Firestore server: the one named by FIRESTORE_EMULATOR_HOST (the pytest wrapper passes the
// local cloud's), or one these helpers start themselves.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";

import { initializeApp, deleteApp } from "firebase/app";
import {
  collection,
  connectFirestoreEmulator,
  doc,
  initializeFirestore,
  limit,
  onSnapshot,
  orderBy,
  query,
  terminate,
  where,
} from "firebase/firestore";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PROJECT = process.env.GOOGLE_CLOUD_PROJECT || "demo-chatdesk";

/** The SDK functions the modules take as `sdk` (the browser passes its bundle's). */
export const sdk = { collection, doc, query, where, orderBy, limit, onSnapshot };

export function randomId(prefix = "t") {
  return `${prefix}-${randomUUID().slice(0, 10)}`;
}

/** Poll `check` until it returns a truthy value; fail with `what` after `timeoutMs`. */
export async function waitFor(check, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

let ownServer = null;

/** host:port of a local Firestore server: the environment's, or one started here (stopped by stopLocalFirestore). */
export async function firestoreHost() {
  if (process.env.FIRESTORE_EMULATOR_HOST) return process.env.FIRESTORE_EMULATOR_HOST;
  if (!ownServer) {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, "infra/local/firestore-server.mjs"), String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise((resolve, reject) => {
      lines.on("line", (line) => line.startsWith("READY") && resolve());
      child.once("exit", (code) => reject(new Error(`local Firestore server exited with ${code}`)));
    });
    await ready;
    ownServer = { child, host: `127.0.0.1:${port}` };
  }
  return ownServer.host;
}

export function stopLocalFirestore() {
  if (ownServer) ownServer.child.kill();
  ownServer = null;
}

export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

const apps = [];

/**
 * A fresh Firestore client. The local server serves one listen target per stream (it reads only
 * the first request of a Listen call), so each listener in these tests gets its own client; real
 * Firestore multiplexes many on one, which is what the pages do.
 */
export function newDb(host) {
  const app = initializeApp({ projectId: PROJECT, apiKey: "local-test-key" }, randomId("app"));
  const db = initializeFirestore(app, {});
  const [h, p] = host.split(":");
  connectFirestoreEmulator(db, h, Number(p));
  apps.push({ app, db, port: Number(p) });
  return db;
}

export async function closeDbs() {
  const ports = new Set();
  for (const { app, db, port } of apps.splice(0)) {
    ports.add(port);
    await terminate(db).catch(() => {});
    await deleteApp(app).catch(() => {});
  }
  // The SDK ends a listen stream by half-closing it and waits for the server to finish the call;
  // the local server never does, so its connection would keep this process alive after the
  // tests. Real Firestore ends the call. Let the process exit without waiting for it.
  for (const handle of process._getActiveHandles()) {
    if (handle instanceof net.Socket && ports.has(handle.remotePort)) handle.unref();
  }
}

/** The Python seeder (tests/web/seeder.py): set/update documents as the functions would. */
export async function startSeeder(host) {
  const python = process.env.CHATDESK_PYTHON || [path.join(ROOT, ".venv/bin/python")].find(existsSync) || "python3";
  const child = spawn(python, [path.join(ROOT, "tests/web/seeder.py")], {
    env: { ...process.env, FIRESTORE_EMULATOR_HOST: host, GOOGLE_CLOUD_PROJECT: PROJECT },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  lines.on("line", (line) => queue.shift()?.(JSON.parse(line)));
  const readyAnswer = new Promise((resolve) => queue.push(resolve));
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`seeder exited with ${code}`);
  });
  await Promise.race([readyAnswer, exited]);
  const send = async (command) => {
    const answer = new Promise((resolve) => queue.push(resolve));
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const result = await Promise.race([answer, exited]);
    if (!result.ok) throw new Error(`seeder: ${result.error}`);
  };
  return {
    set: (docPath, data) => send({ op: "set", path: docPath, data }),
    update: (docPath, data) => send({ op: "update", path: docPath, data }),
    close: () => {
      child.stdin.end();
      return once(child, "exit");
    },
  };
}

/** An ISO time `seconds` from now, as the seeder's timestamp value. */
export function ts(secondsFromNow = 0) {
  return { $ts: new Date(Date.now() + secondsFromNow * 1000).toISOString() };
}

/** A tiny HTTP server for the polling tests: handler(req, url, body) → {status?, headers?, json}. */
export async function stubServer(handler) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://stub");
    let body = "";
    for await (const chunk of req) body += chunk;
    const parsed = body ? JSON.parse(body) : undefined;
    requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: parsed });
    try {
      const { status = 200, headers = {}, json } = (await handler(req, url, parsed)) ?? {};
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(json ?? {}));
    } catch (err) {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "StubError", message: String(err) }));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((r) => server.close(r)),
  };
}
