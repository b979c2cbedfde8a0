// Session resumption: the second connection resumes automatically (client
// session cache), with ticket keys shared between two servers through
// TicketKeys.exportSecret() as cluster workers would share them.
import { generateSelfSigned } from 'jsec/cert';
import { connect, createContext, info, listen, TicketKeys } from 'jsec/tls';

const { cert, key } = await generateSelfSigned({ commonName: 'localhost', san: ['DNS:localhost'] });
const keys = new TicketKeys();
const server = await listen({ host: '127.0.0.1', port: 0, cert, key, ticketKeys: keys });
server.on('secureConnection', (s) => s.end('hi'));
const client = createContext({ ca: cert });

for (let i = 1; i <= 3; i++) {
  const s = await connect('127.0.0.1', server.address().port, { servername: 'localhost', context: client });
  console.log(`connection ${i}: ${info(s).protocol}, resumed: ${info(s).resumed}`);
  s.resume();
  await new Promise((r) => s.on('close', r));
}

// A second server (another worker) with the same secret accepts the same tickets.
let session;
const first = await connect('127.0.0.1', server.address().port, { servername: 'localhost', context: client, sessionStore: { take: () => undefined, put: (k, e) => (session = e.session), delete() {} } });
first.resume();
await new Promise((r) => first.on('close', r));
const worker = await listen({ host: '127.0.0.1', port: 0, cert, key, ticketKeys: new TicketKeys({ secret: keys.exportSecret() }) });
worker.on('secureConnection', (s) => s.end());
const s = await connect('127.0.0.1', worker.address().port, { servername: 'localhost', context: client, session });
const resumed = info(s).resumed;
console.log(`other worker, same ticket keys: resumed: ${resumed}`);
s.destroy();
await server.close();
await worker.close();
if (!resumed) process.exit(1);
