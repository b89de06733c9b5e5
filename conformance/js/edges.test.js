import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { BatchRequestContent, BatchResponseContent, Client } from "@microsoft/microsoft-graph-client";

import { graphClient } from "./graph-client.js";
import { createTeam, demo, startTeamsops } from "./teamsops.js";

let server;
before(async () => {
  server = await startTeamsops();
});
after(async () => {
  await server?.stop();
});

const adele = demo.adele;
const consoleClient = () => graphClient(server.baseUrl, demo.tenant, demo.consoleApp, demo.consoleSecret);

// userClient is a client signed in as a demo user: a delegated token, as
// an interactive sign-in would give one.
function userClient(user, scopes) {
  const token = server.userToken(user, scopes);
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: async () => token },
    baseUrl: server.baseUrl,
    customHosts: new Set([new URL(server.baseUrl).hostname]),
  });
}

test("me/joinedTeams and me/chats through a signed-in user's client", async () => {
  const client = userClient(adele, ["Team.ReadBasic.All", "Chat.ReadBasic"]);
  const teams = await client.api("/me/joinedTeams").get();
  assert.deepEqual(teams.value, [
    { id: demo.team, displayName: "Contoso Marketing", description: "Marketing campaigns and launches." },
  ]);
  const chats = await client.api("/me/chats").expand("members").get();
  assert.equal(chats.value.length, 1);
  assert.equal(chats.value[0].id, demo.chat);
  assert.equal(chats.value[0].chatType, "group");
  assert.equal(chats.value[0].members.length, 2);
});

test("$batch polls operations with BatchRequestContent", async () => {
  const client = consoleClient();
  const res = await createTeam(client, "JS batch");
  assert.equal(res.status, 202);
  const location = res.headers.get("Location");
  const deadline = Date.now() + 30_000;
  for (;;) {
    // Twenty polls of the operation in one round trip, the batch limit.
    const steps = Array.from({ length: 20 }, (_, i) => ({
      id: String(i + 1),
      request: new Request(`${server.baseUrl}/v1.0${location}`, { method: "GET" }),
    }));
    const batch = new BatchRequestContent(steps);
    const body = await client.api("/$batch").post(await batch.getContent());
    const responses = new BatchResponseContent(body);
    const ops = [];
    for (const step of steps) {
      const r = responses.getResponseById(step.id);
      assert.equal(r.status, 200, `step ${step.id}`);
      ops.push(await r.json());
    }
    assert.equal(new Set(ops.map((op) => op.id)).size, 1);
    if (ops[19].status === "succeeded") {
      assert.equal(ops[19].operationType, "createTeam");
      break;
    }
    assert.ok(Date.now() < deadline, `operation still ${ops[19].status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

test("the retry handler recovers from 429s", async () => {
  const path = `/v1.0/teams/${demo.team}/channels`;
  const before = server.requests.filter((r) => r === `GET ${path}`).length;
  // throttle=2: the first two requests carrying the header are refused
  // with Retry-After: 1; the client's RetryHandler resends it.
  const channels = await consoleClient()
    .api(`/teams/${demo.team}/channels`)
    .header("X-Teamsops-Fault", "throttle=2; retry-after=1")
    .get();
  assert.equal(channels.value.length, 1);
  const sent = server.requests.filter((r) => r === `GET ${path}`).length - before;
  assert.equal(sent, 3, "two 429s, then the answer");
});
