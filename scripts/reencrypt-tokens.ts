// Re-encrypts every stored token record under the newest key of TOKEN_KEYS (after a key rotation: put the
// new key first, run this, then remove the old key). Reads the same environment as the app.
//
//   TOKEN_KEYS=new:...,old:... SESSION_STORE=sqlite:data/sessions.db node dist/scripts/reencrypt-tokens.js
//
// Prints how many records were re-encrypted, were already current, and could not be read (sealed under a
// key missing from TOKEN_KEYS, or damaged); unreadable records are left as they are. Exit status: 0 when
// every record is under the newest key, 2 when some could not be read, 1 on an error.
import { pathToFileURL } from 'node:url';
import { loadMaintenanceConfig, ConfigError } from '../src/config/env.js';
import { createLogger } from '../src/log/logger.js';
import { openStorage } from '../src/storage/index.js';
import { parseKeyring } from '../src/tokens/crypto.js';
import { TokenVault, type TokenEndpoint } from '../src/tokens/vault.js';

export interface ReencryptCounts {
  reencrypted: number;
  current: number;
  unreadable: number;
  /** Records without tokens (the grant was lost or revoked): nothing to re-encrypt. */
  empty: number;
  /** Records that vanished (expired, deleted) while the command ran. */
  gone: number;
}

/** The command without the process around it (tests call this). */
export async function reencryptTokens(env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<ReencryptCounts> {
  const config = loadMaintenanceConfig(env);
  const keyring = parseKeyring(config.tokenKeys);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const storage = await openStorage(config.sessionStore, {
    idleTtlMs: config.sessionIdleMinutes * 60_000,
    logger,
    sweepIntervalMs: 0,
  });
  const counts: ReencryptCounts = { reencrypted: 0, current: 0, unreadable: 0, empty: 0, gone: 0 };
  try {
    const offline: TokenEndpoint = {
      refresh: async () => {
        throw new Error('the maintenance command does not refresh tokens');
      },
      revoke: async () => {
        throw new Error('the maintenance command does not revoke tokens');
      },
    };
    const vault = new TokenVault({
      keyring,
      store: storage.tokens,
      endpoint: offline,
      logger,
      recordTtlMs: config.sessionIdleMinutes * 60_000,
    });
    out(
      `Re-encrypting token records under key "${keyring.currentKid}" (keys: ${keyring.kids.join(', ')}) in ${config.sessionStore.kind}.`,
    );
    for await (const ref of storage.tokens.refs()) {
      const result = await vault.reencryptRecord(ref);
      switch (result.status) {
        case 'reencrypted':
          counts.reencrypted++;
          break;
        case 'current':
          counts.current++;
          break;
        case 'empty':
          counts.empty++;
          break;
        case 'absent':
          counts.gone++;
          break;
        case 'unreadable':
          counts.unreadable++;
          // The ref names a record, not a person; the reason is a code. No key or token material.
          out(`  unreadable: record ${ref.slice(0, 6)}… (${result.error.code})`);
          break;
      }
    }
  } finally {
    await storage.close();
  }
  out(`re-encrypted: ${counts.reencrypted}`);
  out(`already current: ${counts.current}`);
  out(`unreadable: ${counts.unreadable}`);
  if (counts.empty) out(`without tokens (grant lost or revoked): ${counts.empty}`);
  if (counts.gone) out(`gone meanwhile (expired or signed out): ${counts.gone}`);
  return counts;
}

async function main(): Promise<number> {
  try {
    const counts = await reencryptTokens(process.env, (line) => console.log(line));
    return counts.unreadable > 0 ? 2 : 0;
  } catch (err) {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : String(err));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
