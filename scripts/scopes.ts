/**
 * `npm run scopes`: checks the scope catalogue against the vendored evidence (Discovery data ∪ REST reference ∪
 * live results, see src/scopes/evidence.ts) and prints it, with per method which sources list the asked scope
 * and why other scopes were rejected; then what Scopewise's own identity needs (roles and scopes).
 *
 *   node dist/scripts/scopes.js [--json] [--discovery <methods.json>]
 *   node dist/scripts/scopes.js --live --project <id> [--export <file.json>]
 *
 * --live: calls each catalogue method once, harmlessly, with the access token in SCOPEWISE_LIVE_TOKEN (never on
 * the command line) and prints how Google answered; GOOGLE_API_BASE_URL points it elsewhere (the mock).
 *
 * --live probes the methods of every feature the token's scopes serve. Exit codes: 0 catalogue valid; 1 catalogue
 * invalid (each finding printed), or a method refused for scope in --live; 2 usage or data error.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import {
  CATALOGUE,
  SIGN_IN_SCOPES,
  checkCatalogue,
  DiscoveryError,
  loadDiscovery,
  catalogueRows,
  formatCatalogueTable,
  explainCatalogue,
  formatExplanations,
  EvidenceError,
  exportLiveEvidence,
  formatLiveTable,
  methodsToVerify,
  cloudScopes,
  featureReadiness,
  type Discovery,
} from '../src/scopes/index.js';
import { checkOwnNeeds, formatOwnNeedsTable, ownNeedsRows } from '../src/identity/own-needs.js';
import { verifyLive } from '../src/features/live-check.js';
import { isProjectId } from '../src/google/ids.js';

const USAGE =
  'Usage: scopes [--json] [--discovery <methods.json>]\n       scopes --live --project <id> [--export <file.json>]   (token in SCOPEWISE_LIVE_TOKEN)\n';

/** The scopes an access token holds, from the token info endpoint (Google's, or the mock's). */
async function scopesOfToken(token: string, apiBase: string | undefined): Promise<string[]> {
  const url = apiBase ? `${apiBase.replace(/\/+$/, '')}/tokeninfo` : 'https://oauth2.googleapis.com/tokeninfo';
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ access_token: token }).toString(),
  });
  if (!res.ok)
    throw new Error(
      `the token info endpoint refused the token (${res.status}): is SCOPEWISE_LIVE_TOKEN a valid access token?`,
    );
  const info = (await res.json()) as { scope?: string };
  return (info.scope ?? '').split(/\s+/).filter(Boolean);
}

async function live(discovery: Discovery, project: string | undefined, exportTo: string | undefined): Promise<number> {
  const token = process.env.SCOPEWISE_LIVE_TOKEN;
  if (!token) {
    process.stderr.write(
      'scopes --live: set SCOPEWISE_LIVE_TOKEN to an access token holding the scopes to verify (it is never read from the command line)\n',
    );
    return 2;
  }
  if (!project || !isProjectId(project)) {
    process.stderr.write(
      'scopes --live: --project must name a Google Cloud project id to probe, e.g. --project my-project-123\n',
    );
    return 2;
  }
  const apiBase = process.env.GOOGLE_API_BASE_URL || undefined;
  const held = await scopesOfToken(token, apiBase);
  // The features this token can serve (its scopes authorize all their methods): their methods are probed.
  const ready = CATALOGUE.filter((f) => featureReadiness(f, held, discovery).state === 'ready');
  if (ready.length === 0) {
    process.stderr.write(
      `scopes --live: the token holds no scope a feature needs (${cloudScopes(held).join(' ') || 'no Cloud scope'})\n`,
    );
    return 2;
  }
  const results = await verifyLive({
    methods: methodsToVerify(ready, discovery),
    accessToken: token,
    scopesHeld: cloudScopes(held),
    data: discovery,
    probe: { project },
    apiBaseOverride: apiBase,
  });
  process.stdout.write(`${formatLiveTable(results)}\n`);
  if (exportTo) {
    fs.writeFileSync(
      exportTo,
      `${JSON.stringify(exportLiveEvidence(results, apiBase ? `a Google stand-in (${apiBase})` : 'Google'), null, 2)}\n`,
    );
    process.stdout.write(`\nEvidence written to ${exportTo} (the format of vendor/google-live/verified.json).\n`);
  }
  return results.some((r) => r.outcome === 'refused-for-scope') ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  let values: { json?: boolean; discovery?: string; help?: boolean; live?: boolean; project?: string; export?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        discovery: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        live: { type: 'boolean' },
        project: { type: 'string' },
        export: { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`scopes: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }

  let discovery: Discovery;
  try {
    discovery = loadDiscovery(values.discovery);
  } catch (err) {
    if (!(err instanceof DiscoveryError) && !(err instanceof EvidenceError)) throw err;
    if (values.json === true) {
      process.stdout.write(
        JSON.stringify({ ok: false, error: { code: err.code, message: err.message } }, null, 2) + '\n',
      );
    } else {
      process.stderr.write(`scopes: ${err.message}\n`);
    }
    return 2;
  }

  if (values.live === true) return live(discovery, values.project, values.export);

  const findings = checkCatalogue(CATALOGUE, discovery);
  const ownFindings = checkOwnNeeds(discovery);
  if (values.json === true) {
    process.stdout.write(
      JSON.stringify(
        {
          ok: findings.length === 0 && ownFindings.length === 0,
          findings,
          signInScopes: SIGN_IN_SCOPES,
          features: catalogueRows(CATALOGUE),
          explanations: explainCatalogue(CATALOGUE, discovery),
          ownIdentity: ownNeedsRows(),
          ownIdentityFindings: ownFindings,
        },
        null,
        2,
      ) + '\n',
    );
    return findings.length === 0 && ownFindings.length === 0 ? 0 : 1;
  }
  if (ownFindings.length > 0) {
    process.stderr.write(`Scopewise's own identity asks for more than it needs (${ownFindings.length}):\n`);
    for (const f of ownFindings) process.stderr.write(`  ✗ ${JSON.stringify(f)}\n`);
    return 1;
  }
  if (findings.length > 0) {
    process.stderr.write(
      `The scope catalogue is invalid (${findings.length} finding${findings.length === 1 ? '' : 's'}):\n`,
    );
    for (const f of findings) process.stderr.write(`  ✗ [${f.code}] ${f.message}\n`);
    return 1;
  }
  process.stdout.write(`Sign-in scopes: ${SIGN_IN_SCOPES.join(' ')}\n\n`);
  process.stdout.write(formatCatalogueTable(CATALOGUE) + '\n\n');
  process.stdout.write(formatExplanations(explainCatalogue(CATALOGUE, discovery)) + '\n\n');
  process.stdout.write(
    `✓ ${CATALOGUE.length} features; each asks only for the narrowest scopes the sources document; 0 unresolved disagreements between the sources.\n\n`,
  );
  process.stdout.write(
    `Scopewise's own identity (off unless configured: SCOPEWISE_IDENTITY):\n${formatOwnNeedsTable()}\n`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
