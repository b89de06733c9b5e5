import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

// The JavaScript snippet of docs/sdks.md must be the code between the
// markers of graph-client.js, which every test here runs: the code users
// copy cannot drift from the code CI proves.
test("docs/sdks.md's JavaScript snippet is graph-client.js", () => {
  const here = import.meta.dirname;
  const guide = readFileSync(join(here, "../../docs/sdks.md"), "utf8");
  const source = readFileSync(join(here, "graph-client.js"), "utf8");
  const snippet = source.split("// docs/sdks.md snippet begin\n")[1]?.split("// docs/sdks.md snippet end")[0];
  assert.ok(snippet, "graph-client.js lacks the docs/sdks.md snippet markers");
  const blocks = [...guide.matchAll(/\n```js\n([\s\S]*?)\n```/g)].map((m) => m[1].replace(/^\n+|\n+$/g, ""));
  assert.ok(
    blocks.includes(snippet.replace(/^\n+|\n+$/g, "")),
    "docs/sdks.md's JavaScript snippet differs from graph-client.js; copy the code between the markers into the guide's js block",
  );
});

// Every snippet a test here marks for a guide in docs/ ("// docs/NAME.md
// snippet begin: what" … "// docs/NAME.md snippet end") must stand in one
// of that guide's js blocks, as the test runs it.
test("the guides' JavaScript snippets are the tests' code", () => {
  const here = import.meta.dirname;
  let found = 0;
  for (const file of readdirSync(here).filter((f) => f.endsWith(".test.js"))) {
    const source = readFileSync(join(here, file), "utf8");
    for (const m of source.matchAll(/\/\/ docs\/(\S+) snippet begin: ([^\n]*)\n([\s\S]*?)\n\/\/ docs\/\1 snippet end/g)) {
      found++;
      const [, doc, name, code] = m;
      const guide = readFileSync(join(here, "../../docs", doc), "utf8");
      const blocks = [...guide.matchAll(/\n```js\n([\s\S]*?)\n```/g)].map((b) => b[1]);
      assert.ok(blocks.some((b) => b.includes(code)), `${file}'s "${name}" snippet is in none of docs/${doc}'s js blocks`);
    }
  }
  assert.ok(found > 0, "no test marks a snippet for docs/");
});
