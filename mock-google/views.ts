// Server-rendered pages of the mock: escaped tagged templates, one stylesheet, no scripts.
import type { FixtureUser } from './users.js';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

type Part = Html | string | number | undefined | null | false | readonly Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** Tagged template: every interpolation is escaped unless it is already Html. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export const CSS_PATH = '/__mock/static/mock.css';

export const CSS = `:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#202124;background:#f1f3f4}
body{margin:0}
.banner{background:#fbbc04;color:#202124;text-align:center;padding:.4rem;font-weight:600}
.banner p{margin:0}
main{max-width:30rem;margin:2rem auto;background:#fff;border:1px solid #dadce0;border-radius:8px;padding:2rem}
h1{font-size:1.5rem;font-weight:400;margin:0 0 .5rem}
h2{font-size:1rem;margin:1.5rem 0 .5rem}
.logo{font-weight:700;letter-spacing:.02em;color:#1a73e8}
.accounts{list-style:none;padding:0;margin:0}
.accounts li{border-top:1px solid #dadce0}
.accounts li:last-child{border-bottom:1px solid #dadce0}
.account{display:block;width:100%;text-align:left;background:none;border:0;padding:.75rem .5rem;font:inherit;cursor:pointer}
.account:hover,.account:focus{background:#e8f0fe}
.account small{display:block;color:#5f6368}
.scopes{list-style:none;padding:0}
.scopes li{padding:.5rem 0;border-bottom:1px solid #eee}
.scopes label{display:flex;gap:.6rem;align-items:flex-start}
.scopes code{display:block;font-size:.75rem;color:#5f6368;word-break:break-all}
.actions{display:flex;justify-content:flex-end;gap:.75rem;margin-top:1.5rem}
button.primary{background:#1a73e8;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font:inherit;cursor:pointer}
button.secondary{background:#fff;color:#1a73e8;border:1px solid #dadce0;border-radius:4px;padding:.6rem 1.4rem;font:inherit;cursor:pointer}
button:focus-visible{outline:3px solid #174ea6;outline-offset:2px}
.lifetime label{display:block;margin-bottom:.25rem}
.lifetime select{font:inherit;padding:.3rem}
.error{color:#b3261e}
.muted{color:#5f6368;font-size:.875rem}
footer{text-align:center;color:#5f6368;font-size:.8rem;margin-bottom:2rem}
`;

function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – Mock Google</title>
<link rel="stylesheet" href="${CSS_PATH}">
</head>
<body>
<header class="banner"><p>Mock Google — a test double, not the real Google sign-in</p></header>
<main>
<p class="logo" aria-hidden="true">Mock Google</p>
${body}
</main>
<footer><p>Scopewise test fixture. No password is ever asked for.</p></footer>
</body>
</html>
`.value;
}

export interface HiddenFields {
  pending: string;
  csrf: string;
}

function hidden(f: HiddenFields): Html {
  return html`<input type="hidden" name="pending" value="${f.pending}"><input type="hidden" name="csrf" value="${f.csrf}">`;
}

export function chooserPage(opts: {
  fields: HiddenFields;
  clientName: string;
  users: readonly FixtureUser[];
  others: readonly FixtureUser[];
  hd: string | undefined;
}): string {
  const button = (u: FixtureUser) =>
    html`<li><button class="account" type="submit" name="email" value="${u.email}">${u.name}<small>${u.email}</small></button></li>`;
  return layout(
    'Sign in',
    html`<h1>Choose an account</h1>
<p>to continue to <strong>${opts.clientName}</strong></p>
<form method="post" action="/o/oauth2/v2/auth/choose" aria-label="Choose an account">
${hidden(opts.fields)}
<ul class="accounts">${opts.users.map(button)}</ul>
${opts.others.length > 0 ? html`<h2>Use another account</h2><p class="muted">Not in ${opts.hd ?? ''}</p><ul class="accounts">${opts.others.map(button)}</ul>` : ''}
</form>`,
  );
}

export interface ConsentScope {
  uri: string;
  asGiven: string;
  description: string;
  /** Identity scopes (openid/email/profile) are listed without a checkbox. */
  basic: boolean;
}

export interface LifetimeOption {
  value: string;
  label: string;
  selected: boolean;
}

export function consentPage(opts: {
  fields: HiddenFields;
  clientName: string;
  user: FixtureUser;
  scopes: ConsentScope[];
  lifetime?: { name: string; options: LifetimeOption[] };
}): string {
  const basic = opts.scopes.filter((s) => s.basic);
  const extra = opts.scopes.filter((s) => !s.basic);
  return layout(
    'Consent',
    html`<h1>${opts.clientName} wants access to your Google Account</h1>
<p>${opts.user.name} <span class="muted">(${opts.user.email})</span></p>
<form method="post" action="/o/oauth2/v2/auth/consent">
${hidden(opts.fields)}
${basic.length > 0 ? html`<h2>Basic account information</h2><ul class="scopes">${basic.map((s) => html`<li>${s.description}<code>${s.asGiven}</code></li>`)}</ul>` : ''}
${
  // Like Google: a checkbox per scope only when more than one non-sign-in scope is asked; with one, Allow or Cancel.
  extra.length > 1
    ? html`<fieldset><legend>Select what ${opts.clientName} can access</legend><ul class="scopes">${extra.map(
        (s, i) =>
          html`<li><label for="scope-${i}"><input type="checkbox" id="scope-${i}" name="scope" value="${s.uri}" checked><span>${s.description}<code>${s.uri}</code></span></label></li>`,
      )}</ul></fieldset>`
    : extra.length === 1
      ? html`<h2>${opts.clientName} wants to</h2><ul class="scopes">${extra.map((s) => html`<li>${s.description}<code>${s.uri}</code></li>`)}</ul>`
      : ''
}
<p class="muted">Make sure you trust ${opts.clientName}. You can remove access at any time in your Google Account.</p>
${
  opts.lifetime
    ? html`<p class="lifetime"><label for="grant-lifetime">How long ${opts.clientName} keeps this access</label>
<select id="grant-lifetime" name="${opts.lifetime.name}">${opts.lifetime.options.map((o) => html`<option value="${o.value}"${o.selected ? html` selected` : ''}>${o.label}</option>`)}</select></p>`
    : ''
}
<div class="actions">
<button class="secondary" type="submit" name="action" value="cancel">Cancel</button>
<button class="primary" type="submit" name="action" value="allow">Allow</button>
</div>
</form>`,
  );
}

export function errorPage(opts: { status: number; error: string; message: string }): string {
  return layout(
    'Error',
    html`<h1>Access blocked: this app’s request is invalid</h1>
<p class="error"><strong>Error ${opts.status}: ${opts.error}</strong></p>
<p>${opts.message}</p>`,
  );
}

export function homePage(opts: { issuer: string; users: readonly FixtureUser[] }): string {
  return layout(
    'Home',
    html`<h1>Mock Google is running</h1>
<p>Issuer <code>${opts.issuer}</code>. Discovery at <a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a>.</p>
<h2>Fixture accounts</h2>
<ul>${opts.users.map((u) => html`<li>${u.name} — ${u.email}${u.hd ? html` (${u.hd})` : ''}</li>`)}</ul>`,
  );
}
