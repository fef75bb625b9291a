// For the CLI only: opens the sign-in block list where the app keeps it (SESSION_STORE), outside the app.
import { parseSessionStore } from '../config/env.js';
import type { SignInBlockList } from '../storage/account-events/account-state.js';
import { RedisAccountState, SqliteAccountState } from '../storage/account-events/account-state.js';

export async function openBlocksFromEnv(
  env: Record<string, string | undefined>,
): Promise<{ blocks: SignInBlockList; close(): Promise<void> }> {
  const spec = parseSessionStore(env['SESSION_STORE'] || 'sqlite:data/sessions.db');
  if (typeof spec === 'string') throw new Error(`SESSION_STORE is not valid: expected ${spec}`);
  switch (spec.kind) {
    case 'memory':
      throw new Error('SESSION_STORE=memory lives inside the app process: there is nothing to read from here');
    case 'sqlite': {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(spec.path, { fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      return { blocks: new SqliteAccountState(db), close: async () => void db.close() };
    }
    case 'redis': {
      const { createClient } = await import('redis');
      const client = createClient({ url: spec.url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
      await client.connect();
      return { blocks: new RedisAccountState(client), close: async () => client.close() };
    }
  }
}
