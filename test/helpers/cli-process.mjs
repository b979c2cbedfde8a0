// Helpers for tests that run the jsec command line as a child process.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const JSEC_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'jsec.js');

/** Runs `jsec ...args` to completion; resolves { code, stdout, stderr }. Killed after `timeoutMs`. */
export function runJsec(args, { timeoutMs = 20_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JSEC_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`jsec ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts `jsec serve ...args` and resolves once it printed its `listening on`
 * line: { child, address, caFile, output(), waitFor(regex), stop() }.
 * `waitFor` resolves once stdout matches (rejects after a bound); `stop()`
 * sends SIGINT and resolves with the exit code (SIGKILL after 5 s).
 */
export function startServe(args, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JSEC_BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise((r) => child.on('close', (code, signal) => r({ code, signal })));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(t);
      return r;
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`jsec serve did not start within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      const listening = /^listening on (\S+)$/m.exec(stdout);
      const ca = /written to (\S+?);/m.exec(stdout);
      const ready = listening && (ca || !/trust anchor/.test(stdout)) && /Ctrl-C/.test(stdout);
      if (ready && !settled) {
        settled = true;
        clearTimeout(timer);
        const waitFor = (re, ms = 5000) =>
          new Promise((res, rej) => {
            if (re.test(stdout)) return res(stdout);
            const t = setTimeout(() => {
              child.stdout.off('data', check);
              rej(new Error(`jsec serve did not print ${re} within ${ms} ms\nstdout: ${stdout}`));
            }, ms);
            const check = () => {
              if (!re.test(stdout)) return;
              clearTimeout(t);
              child.stdout.off('data', check);
              res(stdout);
            };
            child.stdout.on('data', check);
          });
        resolve({ child, address: listening[1], caFile: ca?.[1], output: () => stdout, errors: () => stderr, waitFor, stop, exited });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`jsec serve exited with ${code}\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}
