/**
 * Worker-thread entry for `--parallel threads`: runs a share of the clients
 * with a {@link LocalDriver} and answers the parent's calls.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { LocalDriver, type DriverSetup } from './driver.js';

const port = parentPort;
if (port !== null) {
  let driver: LocalDriver | undefined;
  port.on('message', (msg: { id: number; method: string; args: unknown[] }) => {
    void (async () => {
      try {
        let value: unknown;
        if (msg.method === 'setup') {
          driver = await LocalDriver.create(msg.args[0] as DriverSetup);
        } else if (driver === undefined) {
          throw new Error('client worker used before setup');
        } else if (msg.method === 'echoConnect') {
          value = await driver.echoConnect(msg.args[0] as string, msg.args[1] as number);
        } else if (msg.method === 'echoGo') {
          value = await driver.echoGo(msg.args[0] as string, msg.args[1] as number);
        } else if (msg.method === 'handshakes') {
          value = await driver.handshakes(msg.args[0] as string, msg.args[1] as number, msg.args[2] as number);
        } else if (msg.method === 'resumes') {
          value = await driver.resumes(msg.args[0] as string, msg.args[1] as number, msg.args[2] as number, msg.args[3] as number);
        } else if (msg.method === 'threadCpuMs') {
          value = await driver.threadCpuMs();
        } else {
          throw new Error(`unknown method ${msg.method}`);
        }
        port.postMessage({ id: msg.id, ok: true, value });
      } catch (err) {
        port.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}
