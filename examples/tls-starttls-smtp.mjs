// STARTTLS the SMTP way (RFC 3207), both roles with jsec: the server greets,
// advertises STARTTLS, answers "220 Ready", and both sides call upgrade() on
// the same TCP connection. After the handshake the client says EHLO again,
// now encrypted and with the server verified.
import { once } from 'node:events';
import net from 'node:net';
import { generateSelfSigned } from 'jsec/cert';
import { info, upgrade } from 'jsec/tls';

/** The server's certificate: one small function, so it is easy to swap for a real one. */
async function makeCertificate() {
  const { cert, key } = await generateSelfSigned({ commonName: 'mx.example.test', san: ['mx.example.test'], days: 1 });
  return { cert, key };
}

/**
 * Reads one SMTP reply (all its lines, up to the "NNN " line) or one command
 * line from a plain socket, then stops reading. Returns the lines and any
 * bytes that arrived after them: those belong to whatever comes next.
 */
function readReply(socket) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const lines = [];
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (let end = buf.indexOf('\r\n'); end >= 0; end = buf.indexOf('\r\n')) {
        const line = String(buf.subarray(0, end));
        buf = buf.subarray(end + 2);
        lines.push(line);
        if (!/^\d{3}-/.test(line)) {
          socket.off('data', onData).off('error', reject).pause();
          resolve({ lines, last: line, rest: buf });
          return;
        }
      }
    };
    socket.on('data', onData).once('error', reject).resume();
  });
}

/** Reads one CRLF line from a TLS socket. */
function readSecureLine(socket) {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      if (text.includes('\r\n')) {
        socket.off('data', onData);
        resolve(text.slice(0, text.indexOf('\r\n')));
      }
    };
    socket.on('data', onData);
  });
}

const { cert, key } = await makeCertificate();

const server = net.createServer(async (plain) => {
  plain.write('220 mx.example.test ESMTP\r\n');
  console.log(`server <- ${(await readReply(plain)).last}`);
  plain.write('250-mx.example.test\r\n250 STARTTLS\r\n');
  const command = await readReply(plain);
  console.log(`server <- ${command.last}`);
  plain.write('220 2.0.0 Ready to start TLS\r\n');
  // Whatever followed the STARTTLS line already belongs to TLS: pass it on.
  const secure = await upgrade(plain, { isServer: true, cert, key, head: command.rest });
  console.log(`server: TLS up (${info(secure).protocol})`);
  console.log(`server <- ${await readSecureLine(secure)} (encrypted)`);
  secure.end('250 mx.example.test at your service\r\n');
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const plain = net.connect(server.address().port, '127.0.0.1');
await once(plain, 'connect');
console.log(`client <- ${(await readReply(plain)).last}`);
plain.write('EHLO client.example.test\r\n');
const ehlo = await readReply(plain);
console.log(`client <- ${ehlo.lines.join(' | ')}`);
if (!ehlo.lines.some((l) => l.slice(4) === 'STARTTLS')) process.exit(1);
plain.write('STARTTLS\r\n');
const ready = await readReply(plain);
console.log(`client <- ${ready.last}`);
const secure = await upgrade(plain, { servername: 'mx.example.test', ca: cert, head: ready.rest });
const i = info(secure);
console.log(`client: TLS up, ${i.protocol} ${i.cipher.standardName}, server verified as ${i.peerCertificates[0].subject}: ${i.authorized}`);
secure.write('EHLO client.example.test\r\n');
const final = await readSecureLine(secure);
console.log(`client <- ${final} (encrypted)`);
secure.destroy();
server.close();
if (!final.startsWith('250 ')) process.exit(1);
console.log('done');
