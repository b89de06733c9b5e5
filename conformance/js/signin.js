// A person's part in a sign-in, played over HTTP: teamsops' sign-in pages
// read as HTML forms and submitted as a browser would, with a cookie jar
// and redirects followed by hand. The pages are Entra's: the user code is
// "otc", the user's name "loginfmt", the password "passwd", the primary
// button "idSIButton9" (Next, Sign in, Yes, Continue) and the secondary
// "idBtn_Back"; hidden fields (the CSRF token among them) go back as
// they came.

// Browser keeps cookies for each origin it visits, and never follows a
// redirect by itself: the caller sees each Location.
export class Browser {
  #cookies = new Map(); // origin -> name -> value

  // get loads url.
  get(url) {
    return this.#request(url, { method: "GET" });
  }

  // post submits a form to url.
  post(url, fields) {
    return this.#request(url, { method: "POST", body: new URLSearchParams(fields) });
  }

  async #request(url, { method, body }) {
    const jar = this.#jar(url);
    const headers = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, { method, body, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) keep(jar, c);
    const location = res.headers.get("location");
    return {
      url,
      status: res.status,
      location: location ? new URL(location, url).href : null,
      html: await res.text(),
    };
  }

  #jar(url) {
    const origin = new URL(url).origin;
    if (!this.#cookies.has(origin)) this.#cookies.set(origin, new Map());
    return this.#cookies.get(origin);
  }
}

// keep stores a Set-Cookie header's cookie in jar, or forgets it when the
// server expires it.
function keep(jar, header) {
  const [pair, ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq < 1) return;
  const name = pair.slice(0, eq).trim();
  const expired = attrs.some((a) => {
    const [k, v = ""] = a.trim().split("=");
    if (k.toLowerCase() === "max-age") return Number(v) <= 0;
    if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
    return false;
  });
  if (expired) jar.delete(name);
  else jar.set(name, pair.slice(eq + 1).trim());
}

// forms reads a page's forms: where each posts, and its controls.
export function forms(page) {
  return [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, attrs, body]) => {
    const a = attributes(attrs);
    const controls = [...body.matchAll(/<(input|button)\b([^>]*)>/gi)].map(([, tag, attrs]) => {
      const c = attributes(attrs);
      const type = (c.type ?? (tag.toLowerCase() === "button" ? "submit" : "text")).toLowerCase();
      return { tag: tag.toLowerCase(), type, id: c.id, name: c.name, value: c.value ?? "", checked: "checked" in c };
    });
    return {
      action: new URL(a.action || page.url, page.url).href,
      method: (a.method ?? "get").toUpperCase(),
      controls,
    };
  });
}

// submit submits form with values set, as a click on the button with id
// buttonId would: hidden and other fields as the page filled them in,
// checkboxes only when checked, and of the buttons only the one clicked.
export function submit(browser, form, values = {}, buttonId = "idSIButton9") {
  const button = form.controls.find((c) => c.id === buttonId && isButton(c));
  if (!button) throw new Error(`the form to ${form.action} has no button ${buttonId}`);
  const fields = new URLSearchParams();
  for (const c of form.controls) {
    if (!c.name || isButton(c) || ["reset", "file", "image"].includes(c.type)) continue;
    if ((c.type === "checkbox" || c.type === "radio") && !c.checked) continue;
    fields.append(c.name, c.name in values ? values[c.name] : c.value);
  }
  for (const [k, v] of Object.entries(values)) {
    if (!fields.has(k)) fields.append(k, v);
  }
  if (button.name) fields.append(button.name, button.value);
  if (form.method === "GET") {
    const url = new URL(form.action);
    for (const [k, v] of fields) url.searchParams.append(k, v);
    return browser.get(url.href);
  }
  return browser.post(form.action, fields);
}

const isButton = (c) => c.type === "submit" || c.type === "button";

// signIn plays a user through the sign-in pages from url: it fills in
// the user code, name and password where a page asks for them, and
// otherwise answers yes (idSIButton9): to staying signed in, to the app's
// request, and to a form_post response's "Submit", which a browser's
// script would press. It ends at a redirect to redirectUri, whose URL it
// returns, or, without redirectUri, at a page with no form (the device
// flow's last, or what an app's redirect URI answers), which it returns.
// A page that asks again for what was given is a refusal, reported with
// the page's text.
export async function signIn(url, { otc, username, password, redirectUri, browser = new Browser() }) {
  const given = { otc, loginfmt: username, passwd: password };
  const asked = new Set();
  let page = await browser.get(url);
  for (let step = 0; step < 20; step++) {
    if (page.location) {
      if (redirectUri && page.location.startsWith(redirectUri)) return new URL(page.location);
      page = await browser.get(page.location);
      continue;
    }
    if (page.status !== 200) throw new Error(`${page.url} answered ${page.status}: ${text(page)}`);
    const all = forms(page);
    const form = all.find((f) => f.controls.some((c) => c.id === "idSIButton9")) ?? all[0];
    if (!form) {
      if (redirectUri) throw new Error(`the sign-in stopped at ${page.url}: ${text(page)}`);
      return page;
    }
    const values = {};
    for (const c of form.controls) {
      if (!(c.name in given) || c.type === "hidden") continue;
      if (c.value !== "" && c.value === given[c.name]) continue; // filled in already
      if (given[c.name] === undefined) throw new Error(`${page.url} asks for ${c.name}: ${text(page)}`);
      if (asked.has(c.name)) throw new Error(`${page.url} asks for ${c.name} again: ${text(page)}`);
      asked.add(c.name);
      values[c.name] = given[c.name];
    }
    page = await submit(browser, form, values);
  }
  throw new Error(`the sign-in did not end in 20 pages; the last was ${page.url}`);
}

// text is a page's words, without markup, for error messages.
export function text(page) {
  return decode(
    page.html
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim(),
  );
}

// attributes reads a tag's attributes; a bare one is present with "".
function attributes(s) {
  const out = {};
  for (const [, name, dq, sq, bare] of s.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    out[name.toLowerCase()] = decode(dq ?? sq ?? bare ?? "");
  }
  return out;
}

// decode undoes HTML's character references, as html/template writes
// them in attributes and text.
function decode(s) {
  const named = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ref) => {
    if (ref[0] !== "#") return named[ref.toLowerCase()] ?? m;
    const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return String.fromCodePoint(code);
  });
}
