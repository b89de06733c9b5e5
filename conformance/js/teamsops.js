// Starts a real teamsops for the suite: the binary built from this
// repository, on a free loopback port, with the demo tenant (and any
// tenant files a test names) and a few extra operations, behind a TLS
// proxy. The Graph JavaScript client sends its token only over https and
// follows only https nextLinks, and Microsoft's identity libraries accept
// only an https authority, so the suite reaches teamsops the way a
// deployment would: through TLS, with --public-url set to the https
// address.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { ResponseType } from "@microsoft/microsoft-graph-client";

const here = import.meta.dirname;
const repoRoot = resolve(here, "../..");

// The demo tenant (PRODUCT.md, "The demo tenant").
export const demo = {
  tenant: "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f",
  consoleApp: "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f",
  consoleSecret: "demo-console-secret",
  botApp: "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10",
  botSecret: "demo-bot-secret",
  chat: "19:c253a29b5f694b55a6baad8e83510af7@thread.v2",
  chatOperation:
    "2432b57b-0abd-43db-aa7b-16eadd115d34-e88ae9aa-887e-4972-ac3e-bd578e38232e-cf58835e-43f0-4fc1-825e-5de55630e7e4",
  team: "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77",
  teamOperation: "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
  adele: "8b081ef6-4792-4def-b2c9-c363a1bf41d5",
};

/**
 * Starts a createTeam operation with client: a standard team, Adele its
 * owner. It returns the raw response: a 202 without a body, whose
 * Location names the operation.
 */
export function createTeam(client, displayName) {
  return client
    .api("/teams")
    .responseType(ResponseType.RAW)
    .post({
      "template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
      displayName,
      members: [
        {
          "@odata.type": "#microsoft.graph.aadUserConversationMember",
          roles: ["owner"],
          "user@odata.bind": `https://graph.microsoft.com/v1.0/users('${demo.adele}')`,
        },
      ],
    });
}

/**
 * Starts teamsops. TEAMSOPS_BIN names a built binary; without it the
 * binary is built from the repository. The result has baseUrl (https,
 * through the proxy), plainUrl (teamsops itself, over http), requests (the
 * "METHOD path" lines the proxy passed on), extraTeamOperations (the ids
 * added to the demo team), userToken(userId, scopes) (a delegated token
 * from "teamsops token") and stop().
 *
 * options.tenantFiles are tenant files (paths relative to this directory)
 * that teamsops applies at start beside the demo's, as --tenant-file.
 */
export async function startTeamsops({ tenantFiles = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "teamsops-js-"));
  const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const f of cleanups.reverse()) await f();
  };
  try {
    let bin = process.env.TEAMSOPS_BIN;
    if (!bin) {
      bin = join(dir, "teamsops");
      go(repoRoot, "build", "-o", bin, "./cmd/teamsops");
    }
    const db = join(dir, "teamsops.db");
    const extra = go(join(repoRoot, "conformance"), "run", "./cmd/extraops", "-db", db, "-n", "5");

    const port = await freePort();
    const requests = [];
    const proxy = await startProxy(port, requests);
    cleanups.push(() => closeServer(proxy));
    const baseUrl = `https://127.0.0.1:${proxy.address().port}`;

    const child = spawn(
      bin,
      [
        "serve", "--demo", "--db", `sqlite:${db}`, "--addr", `127.0.0.1:${port}`, "--public-url", baseUrl,
        ...tenantFiles.flatMap((f) => ["--tenant-file", resolve(here, f)]),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    child.stderr.on("data", (b) => (log += b));
    const exited = new Promise((res) => child.once("exit", res));
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    cleanups.push(async () => {
      process.off("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    });

    const plainUrl = `http://127.0.0.1:${port}`;
    await waitReady(plainUrl, child, () => log);
    return {
      baseUrl,
      plainUrl,
      requests,
      extraTeamOperations: extra.split("\n").filter(Boolean),
      userToken: (user, scopes) =>
        execFileSync(
          bin,
          ["token", "--db", `sqlite:${db}`, "--public-url", baseUrl, "--tenant", demo.tenant, "--user", user, "--scopes", scopes.join(",")],
          { encoding: "utf8" },
        ).trim(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function go(cwd, ...args) {
  return execFileSync("go", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

// freePort asks the system for a free loopback port.
function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// startProxy terminates TLS with the suite's self-signed certificate (which
// npm test trusts through NODE_EXTRA_CA_CERTS) and passes each request on
// to teamsops unchanged.
function startProxy(port, requests) {
  const tls = { key: readFileSync(join(here, "tls/key.pem")), cert: readFileSync(join(here, "tls/cert.pem")) };
  const proxy = https.createServer(tls, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = http.request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  return new Promise((res, rej) => {
    proxy.once("error", rej);
    proxy.listen(0, "127.0.0.1", () => res(proxy));
  });
}

function closeServer(srv) {
  return new Promise((res) => {
    srv.close(() => res());
    srv.closeAllConnections();
  });
}

// waitReady polls GET /readyz until it answers 200, for at most 15 seconds.
async function waitReady(url, child, log) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`teamsops exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`teamsops was not ready in 15s:\n${log()}`);
}
