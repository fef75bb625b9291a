// The one thing the event stores need from a Redis client: send a raw command. A node-redis v4–v6 client
// (`createClient()`) fits as is; so would any client with the same method. Kept this small on purpose so the
// stores do not depend on node-redis's overloaded command types.
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

export const REDIS_EVENTS_PREFIX = 'scopewise:';

/** EVAL with the script's text each time: the scripts are short and this keeps no server-side state. */
export function evalScript(redis: RedisCommands, script: string, keys: string[], args: string[]): Promise<unknown> {
  return redis.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]);
}
