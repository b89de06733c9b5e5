// Microsoft's identity libraries for JavaScript, unchanged, signing apps
// and users in to teamsops and calling Graph with what they get: the
// Azure SDK's @azure/identity and MSAL for Node. Each is pointed at
// teamsops as at a sovereign cloud, by its authority alone; nothing here
// reaches Microsoft. The tenant is the suite's own sign-in tenant
// (../testdata/signin.yaml), beside the demo's.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import dns from "node:dns";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  UsernamePasswordCredential,
} from "@azure/identity";
import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";

import { signIn } from "./signin.js";
import { demo, startTeamsops } from "./teamsops.js";

// The sign-in tenant (../testdata/signin.yaml).
const signin = {
  tenant: "5c1e9a7b-3d5f-4e2a-9b8c-1d3f5a7c9e0b",
  ana: { id: "6a2c4e8f-0b1d-4f3a-8c5e-7a9b1d3f5c7e", upn: "ana@signin.example.com", password: "ana-password-1" },
  ben: { upn: "ben@signin.example.com" },
  cliApp: "2b4d6f8a-1c3e-4a5b-9d7f-0e2a4c6e8a1b",
  daemonApp: "4d6f8b0c-3e5a-4c7d-9f1b-2a4c6e8a0c3d",
  // The daemon's private key and certificate, in one PEM file.
  daemonPem: join(import.meta.dirname, "../testdata/signin-daemon.pem"),
  team: "7f9b1d3e-5a7c-4e9f-8b3d-4c6e8a0c2e5f",
  teamOperation: "8a0c2e4f-6b8d-4f0a-9c4e-5d7f9b1d3f6a",
};

const graphDefault = ["https://graph.microsoft.com/.default"];
const userRead = ["https://graph.microsoft.com/User.Read"];

// Nothing may leave the machine. The suite reaches teamsops by IP
// address and an app's loopback redirect URI as localhost, which is
// 127.0.0.1 here whatever the hosts file says; any other name looked up
// is a request elsewhere (instance discovery, say): it fails at once, and
// the suite after all the tests.
const lookups = [];
const lookup = dns.lookup;
dns.lookup = (hostname, options, callback) => {
  if (hostname === "localhost") hostname = "127.0.0.1";
  if (isIP(hostname)) return lookup(hostname, options, callback);
  lookups.push(hostname);
  const err = Object.assign(new Error(`${hostname}: the suite reaches only teamsops`), { code: "ENOTFOUND" });
  process.nextTick(callback ?? options, err);
};

let server;
before(async () => {
  server = await startTeamsops({ tenantFiles: ["../testdata/signin.yaml"] });
});
after(async () => {
  await server?.stop();
  assert.deepEqual(lookups, [], "hosts other than teamsops were asked for");
});

// docs/sign-in.md snippet begin: JavaScript setup
// identityOptions point an @azure/identity credential at teamsops: the
// authority host, and no instance discovery, which would ask
// login.microsoftonline.com whether the host is a known authority.
const identityOptions = () => ({ authorityHost: server.baseUrl, disableInstanceDiscovery: true });

// msalAuth points an MSAL Node app at teamsops: the tenant's authority,
// and its host among the known authorities, which MSAL then trusts
// without asking Microsoft's instance discovery. MSAL reads the rest from
// the authority's OpenID Connect metadata.
const msalAuth = (tenant, clientId) => ({
  clientId,
  authority: `${server.baseUrl}/${tenant}`,
  knownAuthorities: [new URL(server.baseUrl).host],
});
// docs/sign-in.md snippet end

// graph is the Graph client on teamsops' v1.0 with an auth provider: the
// Graph client's own TokenCredentialAuthenticationProvider for a
// credential, or a callback.
function graph(authProvider) {
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: server.baseUrl,
    customHosts: new Set([new URL(server.baseUrl).hostname]),
  });
}

const withCredential = (credential, scopes) => graph(new TokenCredentialAuthenticationProvider(credential, { scopes }));
const withToken = (accessToken) => graph({ getAccessToken: async () => accessToken });

// getMe reads the signed-in user and checks it is Ana.
async function getMe(client) {
  const me = await client.api("/me").get();
  assert.equal(me.id, signin.ana.id);
  assert.equal(me.userPrincipalName, signin.ana.upn);
}

// getTeamOperation reads a team's operation as an app.
async function getTeamOperation(client, team = signin.team, operation = signin.teamOperation) {
  const op = await client.api(`/teams/${team}/operations/${operation}`).get();
  assert.equal(op.id, operation);
}

// tokenRequests counts the token requests teamsops has seen for tenant
// (MSAL adds a client-request-id to the URL).
const tokenRequests = (tenant) =>
  server.requests.filter((r) => r.split("?")[0] === `POST /${tenant}/oauth2/v2.0/token`).length;

test("@azure/identity ClientSecretCredential", async () => {
  const cred = new ClientSecretCredential(demo.tenant, demo.consoleApp, demo.consoleSecret, identityOptions());
  await getTeamOperation(withCredential(cred, graphDefault), demo.team, demo.teamOperation);
});

test("@azure/identity ClientCertificateCredential", async (t) => {
  for (const sendCertificateChain of [false, true]) {
    await t.test(`sendCertificateChain: ${sendCertificateChain}`, async () => {
      const cred = new ClientCertificateCredential(
        signin.tenant,
        signin.daemonApp,
        { certificatePath: signin.daemonPem },
        { ...identityOptions(), sendCertificateChain },
      );
      await getTeamOperation(withCredential(cred, graphDefault));
    });
  }
});

test("@azure/identity UsernamePasswordCredential", async () => {
  // Deprecated, as the password grant is, and still served by Entra.
  const cred = new UsernamePasswordCredential(signin.tenant, signin.cliApp, signin.ana.upn, signin.ana.password, identityOptions());
  await getMe(withCredential(cred, userRead));
});

// deviceUser plays Ana on the device page, given what a library shows for
// the device code flow. The library calls prompt and polls meanwhile;
// signedIn settles when the pages are done. A failure on the pages aborts
// signal, on which the library must stop polling, which would otherwise
// go on until the code expires.
function deviceUser() {
  const abort = new AbortController();
  let settle;
  const signedIn = new Promise((resolve, reject) => (settle = { resolve, reject }));
  const prompt = ({ verificationUri, userCode }) => {
    signIn(verificationUri, { otc: userCode, username: signin.ana.upn, password: signin.ana.password }).then(
      settle.resolve,
      (err) => {
        abort.abort(err);
        settle.reject(err);
      },
    );
  };
  return { prompt, signedIn, signal: AbortSignal.any([abort.signal, AbortSignal.timeout(60_000)]) };
}

test("@azure/identity DeviceCodeCredential, completed on the device page", async () => {
  const user = deviceUser();
  const cred = new DeviceCodeCredential({
    ...identityOptions(),
    tenantId: signin.tenant,
    clientId: signin.cliApp,
    userPromptCallback: user.prompt,
  });
  const client = graph(
    new TokenCredentialAuthenticationProvider(cred, { scopes: userRead, getTokenOptions: { abortSignal: user.signal } }),
  );
  await Promise.all([getMe(client), user.signedIn]);
});

test("MSAL Node ConfidentialClientApplication with a certificate", async () => {
  const pem = readFileSync(signin.daemonPem, "utf8");
  const privateKey = pem.match(/-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/)?.[0];
  assert.ok(privateKey, "the PEM file has no private key");
  const app = new ConfidentialClientApplication({
    auth: {
      ...msalAuth(signin.tenant, signin.daemonApp),
      clientCertificate: {
        thumbprintSha256: new X509Certificate(pem).fingerprint256.replaceAll(":", ""),
        privateKey,
      },
    },
  });
  const result = await app.acquireTokenByClientCredential({ scopes: graphDefault });
  await getTeamOperation(withToken(result.accessToken));
});

test("MSAL Node PublicClientApplication: password, then silent and refreshed", async () => {
  const app = new PublicClientApplication({ auth: msalAuth(signin.tenant, signin.cliApp) });
  const first = await app.acquireTokenByUsernamePassword({
    scopes: userRead,
    username: signin.ana.upn,
    password: signin.ana.password,
  });
  await getMe(withToken(first.accessToken));
  assert.equal(first.account.homeAccountId, `${signin.ana.id}.${signin.tenant}`);
  assert.equal(first.account.username, signin.ana.upn);

  // From MSAL's cache, keyed by the account teamsops' client_info named.
  const [account] = await app.getTokenCache().getAllAccounts();
  assert.equal(account.homeAccountId, first.account.homeAccountId);
  const cached = await app.acquireTokenSilent({ account, scopes: userRead });
  assert.equal(cached.fromCache, true);
  assert.equal(cached.accessToken, first.accessToken);

  // Forced past the cache: MSAL redeems the refresh token.
  const before = tokenRequests(signin.tenant);
  const refreshed = await app.acquireTokenSilent({ account, scopes: userRead, forceRefresh: true });
  assert.equal(refreshed.fromCache, false);
  assert.equal(tokenRequests(signin.tenant), before + 1);
  assert.notEqual(refreshed.accessToken, first.accessToken);
  await getMe(withToken(refreshed.accessToken));
});

test("MSAL Node PublicClientApplication: device code, completed on the device page", async () => {
  const app = new PublicClientApplication({ auth: msalAuth(signin.tenant, signin.cliApp) });
  const user = deviceUser();
  const request = { scopes: userRead, deviceCodeCallback: user.prompt };
  user.signal.addEventListener("abort", () => (request.cancel = true));
  const [result] = await Promise.all([app.acquireTokenByDeviceCode(request), user.signedIn]);
  assert.equal(result.account.username, signin.ana.upn);
  await getMe(withToken(result.accessToken));
});

test("MSAL Node PublicClientApplication: authorization code with PKCE", async () => {
  const app = new PublicClientApplication({ auth: msalAuth(signin.tenant, signin.cliApp) });
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  // Registered as http://localhost: for a public client's loopback
  // redirect URI the port is the app's choice, as Entra allows.
  const redirectUri = "http://localhost:53117";
  const state = "js-suite-state";
  const url = await app.getAuthCodeUrl({
    scopes: userRead,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
  });
  assert.ok(url.startsWith(`${server.baseUrl}/${signin.tenant}/oauth2/v2.0/authorize?`), url);

  const back = await signIn(url, { username: signin.ana.upn, password: signin.ana.password, redirectUri });
  assert.equal(back.searchParams.get("error"), null, back.searchParams.get("error_description"));
  assert.equal(back.searchParams.get("state"), state);
  const code = back.searchParams.get("code");
  assert.ok(code, back.href);

  const result = await app.acquireTokenByCode({ code, scopes: userRead, redirectUri, codeVerifier: verifier });
  assert.equal(result.account.username, signin.ana.upn);
  assert.equal(result.idTokenClaims.oid, signin.ana.id);
  await getMe(withToken(result.accessToken));
});

test("MSAL Node PublicClientApplication: acquireTokenInteractive, the browser played", async () => {
  // MSAL listens on a loopback port of its own, asks for a form_post
  // response there, and calls openBrowser with the authorization URL;
  // the "browser" signs Ana in and posts the response to MSAL.
  const app = new PublicClientApplication({ auth: msalAuth(signin.tenant, signin.cliApp) });
  let landed;
  const result = await app.acquireTokenInteractive({
    scopes: userRead,
    openBrowser: async (url) => {
      landed = await signIn(url, { username: signin.ana.upn, password: signin.ana.password });
    },
    successTemplate: "Signed in; MSAL has the code.",
    errorTemplate: "MSAL's loopback server got an error.",
  });
  assert.match(landed.url, /^http:\/\/localhost:\d+\/$/);
  assert.equal(landed.html, "Signed in; MSAL has the code.");
  assert.equal(result.account.username, signin.ana.upn);
  await getMe(withToken(result.accessToken));
});

test("errors are Entra's: a wrong secret and a wrong password", async (t) => {
  const wrongSecret = /AADSTS7000215/;
  const wrongPassword = /AADSTS50126/;
  // Ben's failures, so that Ana's sign-ins never meet a lockout.
  await t.test("@azure/identity, wrong secret", async () => {
    const cred = new ClientSecretCredential(demo.tenant, demo.consoleApp, "wrong", identityOptions());
    await assert.rejects(cred.getToken(graphDefault), (err) => wrongSecret.test(err.message));
  });
  await t.test("@azure/identity, wrong password", async () => {
    const cred = new UsernamePasswordCredential(signin.tenant, signin.cliApp, signin.ben.upn, "wrong", identityOptions());
    await assert.rejects(cred.getToken(userRead), (err) => wrongPassword.test(err.message));
  });
  await t.test("MSAL Node, wrong secret", async () => {
    const app = new ConfidentialClientApplication({
      auth: { ...msalAuth(demo.tenant, demo.consoleApp), clientSecret: "wrong" },
    });
    await assert.rejects(app.acquireTokenByClientCredential({ scopes: graphDefault }), (err) => {
      assert.equal(err.errorCode, "invalid_client");
      return wrongSecret.test(err.message);
    });
  });
  await t.test("MSAL Node, wrong password", async () => {
    const app = new PublicClientApplication({ auth: msalAuth(signin.tenant, signin.cliApp) });
    const request = { scopes: userRead, username: signin.ben.upn, password: "wrong" };
    await assert.rejects(app.acquireTokenByUsernamePassword(request), (err) => {
      assert.equal(err.errorCode, "invalid_grant");
      return wrongPassword.test(err.message);
    });
  });
  await t.test("the sign-in page, wrong password", async () => {
    const app = new PublicClientApplication({ auth: msalAuth(signin.tenant, signin.cliApp) });
    const redirectUri = "http://localhost:53117";
    const url = await app.getAuthCodeUrl({ scopes: userRead, redirectUri });
    await assert.rejects(signIn(url, { username: signin.ben.upn, password: "wrong", redirectUri }), (err) => {
      assert.match(err.message, /asks for passwd again/);
      return /Your account or password is incorrect/.test(err.message);
    });
  });
});
