// Readiness and drain (src/lifecycle/drain.ts): what a load balancer and a client see during a shutdown.
// The drain delay is a gate the test opens, so "before" and "after the delay" are events, not timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { DEFAULT_DRAIN_CONFIG, ServerDrain, parseDrainConfig } from '../../src/lifecycle/drain.js';

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
}

function get(port: number, path: string, agent: http.Agent | false = false, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A gate: `wait` resolves when the test calls `open()`; `asked` resolves when someone started waiting. */
function gate() {
  let open!: () => void;
  let asked!: (ms: number) => void;
  const opened = new Promise<void>((r) => (open = r));
  const askedFor = new Promise<number>((r) => (asked = r));
  return {
    wait: (ms: number) => {
      asked(ms);
      return opened;
    },
    open,
    askedFor,
  };
}

/** An app with one slow route (`/slow` answers when the test releases it) and a fast one. */
function slowApp() {
  let release!: () => void;
  let arrived!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const slowArrived = new Promise<void>((r) => (arrived = r));
  const handler: http.RequestListener = (req, res) => {
    if (req.url === '/slow') {
      arrived();
      void released.then(() => res.end('slow done')); // answered when the test says so
      return;
    }
    res.end(`app saw ${req.method} ${req.url}`);
  };
  return { handler, release, slowArrived };
}

async function listen(drain: ServerDrain): Promise<number> {
  await new Promise<void>((resolve) => drain.server.listen(0, '127.0.0.1', resolve));
  return (drain.server.address() as net.AddressInfo).port;
}

test('parseDrainConfig: defaults, seconds with decimals, and a named problem for each bad value', () => {
  assert.deepEqual(parseDrainConfig({}), { value: DEFAULT_DRAIN_CONFIG, problems: [] });
  assert.deepEqual(parseDrainConfig({ SHUTDOWN_DRAIN_SECONDS: '0', SHUTDOWN_TIMEOUT_SECONDS: '2.5' }).value, {
    drainDelayMs: 0,
    closeTimeoutMs: 2500,
  });
  assert.equal(parseDrainConfig({ SHUTDOWN_DRAIN_SECONDS: ' ' }).value.drainDelayMs, DEFAULT_DRAIN_CONFIG.drainDelayMs);
  for (const bad of ['-1', 'five', '1e3', '301', '5s']) {
    const { problems } = parseDrainConfig({ SHUTDOWN_DRAIN_SECONDS: bad });
    assert.equal(problems.length, 1, bad);
    assert.match(problems[0]!, /^SHUTDOWN_DRAIN_SECONDS=.* expected a number of seconds from 0 to 300/);
  }
  assert.match(parseDrainConfig({ SHUTDOWN_TIMEOUT_SECONDS: 'x' }).problems[0]!, /^SHUTDOWN_TIMEOUT_SECONDS=/);
});

test('while serving, /readyz answers 200 JSON without reaching the app, and everything else reaches the app', async () => {
  const { handler } = slowApp();
  const drain = new ServerDrain(handler);
  const port = await listen(drain);
  try {
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.body), { ready: true });
    assert.equal((await get(port, '/readyz?probe=1', false, 'HEAD')).status, 200);
    assert.equal(
      (await get(port, '/readyz', false, 'POST')).body,
      'app saw POST /readyz',
      'only GET/HEAD are the probe',
    );
    assert.equal((await get(port, '/readyzz')).body, 'app saw GET /readyzz');
  } finally {
    await drain.close();
  }
});

test('drain: /readyz answers 503 at once, an in-flight request completes with 200, new connections are refused only after the delay', async () => {
  const app = slowApp();
  const delay = gate();
  const drain = new ServerDrain(app.handler, { wait: delay.wait });
  const port = await listen(drain);
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const slowAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // A keep-alive connection the load balancer holds open, used once before the shutdown.
    assert.equal((await get(port, '/before', keepAlive)).connection, 'keep-alive');
    const inFlight = get(port, '/slow', slowAgent);
    await app.slowArrived;

    const drained = drain.drain(5_000); // SIGTERM
    assert.equal(await delay.askedFor, 5_000, 'waits the configured delay');
    assert.equal(drain.state, 'draining');

    const probe = await get(port, '/readyz');
    assert.equal(probe.status, 503, 'unready at once');
    assert.deepEqual(JSON.parse(probe.body), { ready: false, code: 'SHUTTING_DOWN' });
    // During the delay: new connections are still accepted and served, and told to close after their response.
    const fresh = await get(port, '/during');
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body, 'app saw GET /during');
    // The load balancer's idle keep-alive connection still works, and is closed politely after this response.
    const reused = await get(port, '/reused', keepAlive);
    assert.equal(reused.status, 200);
    assert.equal(reused.connection, 'close');

    delay.open(); // the delay is over: stop accepting
    await waitFor(async () => (await connectOutcome(port)) === 'refused');
    assert.notEqual(drain.state, 'serving');

    app.release();
    const slow = await inFlight;
    assert.equal(slow.status, 200, 'the in-flight request completed');
    assert.equal(slow.body, 'slow done');
    assert.equal(slow.connection, 'close', 'a response still being prepared when draining began closes its connection');
    await drained;
    assert.equal(drain.state, 'closed');
    assert.equal(drain.inFlight, 0);
  } finally {
    app.release();
    delay.open();
    keepAlive.destroy();
    slowAgent.destroy();
    await drain.close();
  }
});

test('close() with nothing in flight ends idle keep-alive connections instead of waiting for their timeout', async () => {
  const { handler } = slowApp();
  const drain = new ServerDrain(handler);
  drain.server.keepAliveTimeout = 60_000;
  const port = await listen(drain);
  const socket = net.connect(port, '127.0.0.1');
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write('GET /x HTTP/1.1\r\nHost: t\r\n\r\n');
  await new Promise<void>((r) => socket.once('data', () => r()));
  await drain.close();
  await ended; // closed by the server, not by the 60 s keep-alive timeout
  assert.equal(drain.state, 'closed');
});

test('a response already started when draining begins keeps its keep-alive header; the next one on that connection closes it', async () => {
  const delay = gate();
  let respond!: () => void;
  const drain = new ServerDrain(
    (req, res) => {
      if (req.url === '/streaming') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part 1;');
        respond = () => res.end('part 2');
        return;
      }
      res.end('ok');
    },
    { wait: delay.wait },
  );
  const port = await listen(drain);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = new Promise<Reply>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/streaming', agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
            if (body === 'part 1;') {
              const drained = drain.drain(1000);
              void drained; // awaited below through drain.close()
              respond();
            }
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
        })
        .on('error', reject);
    });
    const r = await first;
    assert.equal(r.body, 'part 1;part 2');
    const second = await get(port, '/again', agent);
    assert.equal(second.status, 200);
    assert.equal(second.connection, 'close');
  } finally {
    delay.open();
    agent.destroy();
    await drain.close();
  }
});

test('a keep-alive response already streaming when closing begins: its connection ends with it, and close() resolves', {
  timeout: 10_000,
}, async () => {
  let respond!: () => void;
  let started!: () => void;
  const streaming = new Promise<void>((r) => (started = r));
  const drain = new ServerDrain((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('part 1;');
    respond = () => res.end('part 2');
    started();
  });
  drain.server.keepAliveTimeout = 60_000;
  const port = await listen(drain);
  const socket = net.connect(port, '127.0.0.1');
  const socketClosed = new Promise<void>((r) => socket.once('close', () => r()));
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write('GET /stream HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\n\r\n');
  await streaming;
  const closed = drain.close();
  respond();
  await closed; // would wait for the 60 s keep-alive timeout if the idle connection were left open
  await socketClosed;
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.match(text, /part 2/);
});

function connectOutcome(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('accepted');
    });
    s.once('error', () => resolve('refused'));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}
