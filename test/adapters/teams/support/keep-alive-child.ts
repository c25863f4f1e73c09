/**
 * Run in a child process without nock (whose interceptor opens a socket per request): our connector client sends
 * to a loopback stand-in; prints the calls and the TCP connections they used, as JSON.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnectorClient } from '../../../../adapters/teams/connector.js';
import { createHttpClient } from '../../../../adapters/teams/http-client.js';

let connections = 0;
let calls = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    calls += 1;
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `m${calls}` }));
  });
});
server.on('connection', () => {
  connections += 1;
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const http = createHttpClient({ timeoutMs: 5_000 });
const connector = createConnectorClient({ http });
const activity = { type: 'message', text: 'x' };
for (let i = 0; i < 5; i++) await connector.send(url, 'a:1', activity);
const sequential = connections;
await Promise.all(Array.from({ length: 3 }, () => connector.send(url, 'a:1', activity)));
http.close();
server.close();
process.stdout.write(`${JSON.stringify({ calls, sequential, connections })}\n`);
