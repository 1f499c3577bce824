import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../support/redis';

/** `npx bridgeline ...` as an admin runs it from the repository. */
const root = path.resolve(__dirname, '../..');

function bridgeline(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/bridgeline.js'), ...args],
      { cwd: root },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('the bridgeline command', () => {
  it('validates the shipped flow', async () => {
    const run = await bridgeline('validate', 'ivr-flows/main.yaml');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/valid flow "main"/);
  });

  it('prints every problem of a broken flow with its path, and exits 1', async () => {
    const file = path.join(await tempDir('cli'), 'broken.yaml');
    await fs.writeFile(
      file,
      [
        'id: broken',
        'name: Broken',
        'start: hello',
        'nodes:',
        '  hello: { type: say, text: Hi, next: nowhere }',
        '  orphan: { type: hangup }',
      ].join('\n'),
    );
    const run = await bridgeline('validate', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('/nodes/hello/next');
    expect(run.stdout).toContain('/nodes/orphan');
  });

  it('walks a flow for an unknown caller pressing keys', async () => {
    const run = await bridgeline(
      'simulate',
      'ivr-flows/main.yaml',
      '--now',
      '2026-12-02T15:00:00-05:00',
      '--input',
      '3',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/says: Thanks for calling Bridgeline\./);
    expect(run.stdout).toMatch(
      /step 2 \(\{"digits":"3"\}\): main-menu -> sales/,
    );
  });

  it('runs the scenarios beside a flow', async () => {
    const run = await bridgeline('scenarios', 'ivr-flows/main.yaml');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  });

  it('explains its usage when called wrongly', async () => {
    const run = await bridgeline('frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage:/);
  });
});
