/**
 * `npm run scopes`: checks the scope catalogue against the vendored evidence (Discovery data ∪ REST reference ∪
 * live results, see evidence.ts) and prints it, with per method which sources list the asked scope and why
 * other scopes were rejected.
 *
 *   node dist/src/scopes/cli.js [--json] [--discovery <methods.json>]
 *
 * Exit codes: 0 catalogue valid; 1 catalogue invalid (each finding printed); 2 usage or Discovery data error.
 */
import { parseArgs } from 'node:util';
import { CATALOGUE, SIGN_IN_SCOPES } from './catalogue.js';
import { checkCatalogue } from './check.js';
import { DiscoveryError, loadDiscovery, type Discovery } from './discovery.js';
import { catalogueRows, formatCatalogueTable } from './format.js';
import { explainCatalogue, formatExplanations } from './explain.js';
import { EvidenceError } from './evidence.js';

function main(argv: string[]): number {
  let values: { json?: boolean; discovery?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        discovery: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`scopes: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write('Usage: scopes [--json] [--discovery <methods.json>]\n');
    return 0;
  }

  let discovery: Discovery;
  try {
    discovery = loadDiscovery(values.discovery);
  } catch (err) {
    if (!(err instanceof DiscoveryError) && !(err instanceof EvidenceError)) throw err;
    if (values.json === true) {
      process.stdout.write(JSON.stringify({ ok: false, error: { code: err.code, message: err.message } }, null, 2) + '\n');
    } else {
      process.stderr.write(`scopes: ${err.message}\n`);
    }
    return 2;
  }

  const findings = checkCatalogue(CATALOGUE, discovery);
  if (values.json === true) {
    process.stdout.write(
      JSON.stringify(
        { ok: findings.length === 0, findings, signInScopes: SIGN_IN_SCOPES, features: catalogueRows(CATALOGUE), explanations: explainCatalogue(CATALOGUE, discovery) },
        null,
        2,
      ) + '\n',
    );
    return findings.length === 0 ? 0 : 1;
  }
  if (findings.length > 0) {
    process.stderr.write(`The scope catalogue is invalid (${findings.length} finding${findings.length === 1 ? '' : 's'}):\n`);
    for (const f of findings) process.stderr.write(`  ✗ [${f.code}] ${f.message}\n`);
    return 1;
  }
  process.stdout.write(`Sign-in scopes: ${SIGN_IN_SCOPES.join(' ')}\n\n`);
  process.stdout.write(formatCatalogueTable(CATALOGUE) + '\n\n');
  process.stdout.write(formatExplanations(explainCatalogue(CATALOGUE, discovery)) + '\n\n');
  process.stdout.write(
    `✓ ${CATALOGUE.length} features; each asks only for the narrowest scopes the sources document; 0 unresolved disagreements between the sources.\n`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
