import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { GraphError, PageIterator } from "@microsoft/microsoft-graph-client";

import { graphClient } from "./graph-client.js";
import { createTeam, demo, startTeamsops } from "./teamsops.js";

let server;
before(async () => {
  server = await startTeamsops();
});
after(async () => {
  await server?.stop();
});

const consoleClient = () => graphClient(server.baseUrl, demo.tenant, demo.consoleApp, demo.consoleSecret);

test("the seed's request on beta answers the seed's response", async () => {
  const client = consoleClient();
  const op = await client.api(`/chats/${demo.chat}/operations/${demo.chatOperation}`).version("beta").get();

  // Sent exactly as the seed shows it, keys unencoded.
  assert.ok(
    server.requests.includes(`GET /beta/chats/${demo.chat}/operations/${demo.chatOperation}`),
    `requests sent: ${server.requests.join("\n")}`,
  );
  assert.deepEqual(op, {
    "@odata.context": `${server.baseUrl}/beta/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations/$entity`,
    id: demo.chatOperation,
    operationType: "createChat",
    createdDateTime: "2021-05-27T21:23:41.9085453Z",
    status: "succeeded",
    lastActionDateTime: "2021-05-27T21:23:45.1899277Z",
    attemptsCount: 1,
    targetResourceId: demo.chat,
    targetResourceLocation: `/chats('${demo.chat}')`,
    values: '{"appIds":["1542629c-01b3-4a6d-8f76-1938b779e48d"]}',
    error: null,
  });
});

test("$select through the client", async () => {
  const op = await consoleClient()
    .api(`/teams/${demo.team}/operations/${demo.teamOperation}`)
    .select(["status", "id"])
    .get();
  assert.deepEqual(op, {
    "@odata.context": `${server.baseUrl}/v1.0/$metadata#teams('${demo.team}')/operations(status,id)/$entity`,
    id: demo.teamOperation,
    status: "succeeded",
  });
});

test("a list walked to the end with PageIterator", async (t) => {
  const all = [demo.teamOperation, ...server.extraTeamOperations].sort();
  const cases = [
    ["$top", (req) => req, all],
    ["$top and $filter", (req) => req.filter("operationType eq 'archiveTeam'"), [...server.extraTeamOperations].sort()],
  ];
  for (const [name, refine, want] of cases) {
    await t.test(name, async () => {
      const client = consoleClient();
      const first = await refine(client.api(`/teams/${demo.team}/operations`).version("beta").top(2).count(true)).get();
      assert.equal(first.value.length, 2);
      assert.equal(first["@odata.count"], want.length);
      assert.ok(first["@odata.nextLink"]?.startsWith(`${server.baseUrl}/beta/`), first["@odata.nextLink"]);

      const seen = [];
      const iterator = new PageIterator(client, first, (op) => {
        seen.push(op.id);
        return true;
      });
      await iterator.iterate();
      assert.ok(iterator.isComplete());
      assert.deepEqual(seen.sort(), want);
    });
  }
});

test("a count through the $count segment", async () => {
  const count = await consoleClient().api(`/teams/${demo.team}/operations/$count`).get();
  assert.equal(count, String(1 + server.extraTeamOperations.length));
});

test("errors surface as GraphError with Graph's code and request id", async (t) => {
  const bot = graphClient(server.baseUrl, demo.tenant, demo.botApp, demo.botSecret);
  const missing = "00000000-0000-0000-0000-000000000000";
  const cases = [
    ["missing operation", () => consoleClient().api(`/teams/${demo.team}/operations/${missing}`).get(), 404, "NotFound"],
    [
      "missing chat operation on beta",
      () => consoleClient().api(`/chats/${demo.chat}/operations/${missing}`).version("beta").get(),
      404,
      "NotFound",
    ],
    ["app without a Team role", () => bot.api(`/teams/${demo.team}/operations/${demo.teamOperation}`).get(), 403, "Forbidden"],
    [
      "unknown property in $select",
      () => consoleClient().api(`/teams/${demo.team}/operations/${demo.teamOperation}`).select(["status", "nope"]).get(),
      400,
      "BadRequest",
    ],
  ];
  for (const [name, call, status, code] of cases) {
    await t.test(name, async () => {
      const err = await call().then(
        () => assert.fail("the request succeeded"),
        (e) => e,
      );
      assert.ok(err instanceof GraphError, `${err}`);
      assert.equal(err.statusCode, status);
      assert.equal(err.code, code);
      assert.ok(err.message);
      assert.ok(err.requestId);
      assert.equal(err.requestId, err.headers.get("request-id"));
      assert.ok(Math.abs(err.date - Date.now()) < 24 * 3600 * 1000, `date ${err.date}`);
    });
  }
});

test("a createTeam operation the suite started, polled through its Location", async () => {
  const client = consoleClient();
  // The raw response: the 202 has no body, and its Location is the point.
  const res = await createTeam(client, "JS conformance");
  assert.equal(res.status, 202);
  const location = res.headers.get("Location");
  const match = /^\/teams\('([^']+)'\)\/operations\('([^']+)'\)$/.exec(location ?? "");
  assert.ok(match, `Location ${location}`);
  const [, teamId, operationId] = match;
  assert.equal(res.headers.get("Content-Location"), `/teams('${teamId}')`);

  // Graph's Location is relative and has no version: the client appends it
  // to its base URL and version.
  let op;
  const deadline = Date.now() + 30_000;
  for (;;) {
    op = await client.api(location).get();
    if (op.status === "succeeded" || op.status === "failed") break;
    assert.ok(Date.now() < deadline, `operation still ${op.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(op.id, operationId);
  assert.equal(op.status, "succeeded");
  assert.equal(op.operationType, "createTeam");
  assert.equal(op.targetResourceId, teamId);
  assert.equal(op.targetResourceLocation, `/teams('${teamId}')`);
  const team = await client.api(`/teams/${teamId}`).get();
  assert.equal(team.displayName, "JS conformance");
  assert.equal(team.isArchived, false);
});

test("over plain http the client sends no token", async () => {
  // What users must know: customHosts applies to https URLs only.
  const client = graphClient(server.plainUrl, demo.tenant, demo.consoleApp, demo.consoleSecret);
  const err = await client
    .api(`/teams/${demo.team}/operations/${demo.teamOperation}`)
    .get()
    .then(
      () => assert.fail("the request succeeded"),
      (e) => e,
    );
  assert.ok(err instanceof GraphError, `${err}`);
  assert.equal(err.statusCode, 401);
  assert.equal(err.code, "InvalidAuthenticationToken");
});
