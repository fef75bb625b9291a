// A process of its own that receives security event tokens exactly as Scopewise does (the account-events wiring
// on the configured store, from the environment), and stops dead at one point of a reaction so that the test
// can kill it there: KILL_POINT=after-claim (the jti is claimed, nothing else written) or after-cutoff (the
// account's "sessions signed in before T are over" is written, no session ended yet). It prints
// `LISTENING <url>` when it is ready and `PAUSED <point>` when it has stopped.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { openStorage } from '../../src/storage/index.js';
import { wiringOn } from './helpers.js';

const point = process.env['KILL_POINT'];
const forever = new Promise<never>(() => undefined);
const config = loadConfig(process.env, { testing: true });
const logger = createLogger('warn');
const storage = await openStorage(config.sessionStore, {
  idleTtlMs: config.sessionIdleMinutes * 60_000,
  logger,
});
const { jti, cutoffs } = storage.accounts;
const claim = jti.claim.bind(jti);
jti.claim = async (key, c) => {
  const result = await claim(key, c);
  if (point === 'after-claim' && result === 'claimed') {
    console.log('PAUSED after-claim');
    await forever;
  }
  return result;
};
const endBefore = cutoffs.endBefore.bind(cutoffs);
cutoffs.endBefore = async (sub, before, expiresAt) => {
  await endBefore(sub, before, expiresAt);
  if (point === 'after-cutoff') {
    console.log('PAUSED after-cutoff');
    await forever;
  }
};

const { events } = wiringOn(config, storage, {
  logger,
  claimLeaseMs: Number(process.env['CLAIM_LEASE_MS'] ?? 120_000),
});
const app = express();
for (const r of events.routers) app.use(r);
const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}${config.risc.path}`);
});
