// Worker body for stress.test.mjs: makes native objects of every kind and
// leaves them open, so that only the environment teardown can free them.
import { workerData, parentPort } from 'node:worker_threads';
import { MemoryBio, TlsEngine } from 'jsec/bio';
import { TrustStore, Certificate } from 'jsec/cert';
import { createAeadKey } from 'jsec/crypto';

const keep = [];
for (let i = 0; i < workerData.count; i++) {
  const e = new TlsEngine({ servername: 'server.test', ca: workerData.ca });
  e.handshake();
  keep.push(e, new MemoryBio(), new TrustStore([workerData.ca]), Certificate.from(workerData.ca), createAeadKey('aes-128-gcm', Buffer.alloc(16)));
}
parentPort.postMessage(keep.length);
