// DTLS with a pre-shared key, as constrained devices (CoAP, LwM2M) use it:
// no certificates, the key authenticates both sides.
//
//   node examples/dtls-psk.mjs
import { randomBytes } from 'node:crypto';
import { connect, listen } from 'jsec/dtls';

const keys = new Map([
  ['sensor-1', randomBytes(16)],
  ['sensor-2', randomBytes(16)],
]);

const server = await listen({ host: '127.0.0.1', pskKeys: keys, pskHint: 'jsec-demo' });
server.on('connection', async (peer) => {
  const { pskIdentity, cipher } = peer.info();
  console.log(`server: ${pskIdentity} connected with ${cipher.name}`);
  for await (const reading of peer) await peer.send(`ack ${pskIdentity}: ${reading}`);
});

const device = await connect('127.0.0.1', server.address().port, { psk: { identity: 'sensor-2', key: keys.get('sensor-2') } });
await device.send('temperature=21.5');
const ack = String(await device.receive());
console.log(`device: ${ack}`);
if (ack !== 'ack sensor-2: temperature=21.5') throw new Error('unexpected ack');

// A device with the wrong key never completes the handshake.
await connect('127.0.0.1', server.address().port, { psk: { identity: 'sensor-1', key: randomBytes(16) }, handshakeTimeout: 500 }).then(
  () => {
    throw new Error('a wrong key must not connect');
  },
  (err) => console.log(`wrong key refused: ${err.code}`),
);
await device.close();
await server.close();
console.log('done');
