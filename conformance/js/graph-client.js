// The JavaScript snippet of docs/sdks.md, verbatim between the markers;
// guides.test.js keeps the two identical,
// and every test builds its client with graphClient.

// docs/sdks.md snippet begin
import { Client } from "@microsoft/microsoft-graph-client";

// graphClient returns a Graph client for teamsops at baseUrl (an https URL,
// e.g. https://teamsops.example), signed in as an app of tenantId.
export function graphClient(baseUrl, tenantId, clientId, clientSecret) {
  let token;
  let expiresAt = 0;
  // The client credentials flow, against teamsops' token endpoint.
  async function getAccessToken() {
    if (Date.now() < expiresAt) return token;
    const res = await fetch(`${baseUrl}/${tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`token request failed: ${body.error}: ${body.error_description}`);
    token = body.access_token;
    expiresAt = Date.now() + (body.expires_in - 60) * 1000;
    return token;
  }
  return Client.initWithMiddleware({
    authProvider: { getAccessToken },
    baseUrl,
    defaultVersion: "v1.0", // or "beta", or .version("beta") on a request
    // The client sends the token only to graph.microsoft.com and to these
    // hosts, and only over https.
    customHosts: new Set([new URL(baseUrl).hostname]),
  });
}
// docs/sdks.md snippet end
