import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { round } from './load';

/**
 * How fast this machine is right now, apart from bridgeline: a fixed piece
 * of arithmetic on one core and round trips to another process over
 * loopback TCP. The machines the bench runs on are shared; at times they
 * run at half their usual speed with no other process in sight. A run
 * whose calibration lines are slow is a slow machine's run, whatever
 * bridgeline's own lines say.
 */
export async function calibrate(): Promise<{
  cpu_loop_ms: number;
  loopback_rtt_us: number;
}> {
  return { cpu_loop_ms: cpuLoopMs(), loopback_rtt_us: await loopbackRttUs() };
}

function cpuLoopMs(): number {
  const start = performance.now();
  let x = 0;
  for (let i = 0; i < 100_000_000; i++) {
    x = (x + i * 7) % 1_000_003;
  }
  // x is used, so the loop cannot be optimised away.
  return round(performance.now() - start + (x < 0 ? 1 : 0), 0);
}

// An echo server in a process of its own, as Redis and the peers are: a
// round trip between two processes pays the wake-up of the other one, which
// is what slows down when the machine does.
const echoServer = `
const net = require('node:net');
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (data) => socket.write(data));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(String(server.address().port) + '\\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** One byte echoed by another process, one at a time, 20,000 times. */
async function loopbackRttUs(): Promise<number> {
  const trips = 20_000;
  const child = spawn(process.execPath, ['-e', echoServer], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    return await new Promise<number>((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1');
      client.setNoDelay(true);
      let done = 0;
      let start = 0;
      client.once('connect', () => {
        start = performance.now();
        client.write('x');
      });
      client.on('data', () => {
        done += 1;
        if (done < trips) {
          client.write('x');
          return;
        }
        resolve(round(((performance.now() - start) * 1000) / trips, 1));
        client.destroy();
      });
      client.once('error', reject);
    });
  } finally {
    child.stdin.end();
  }
}
