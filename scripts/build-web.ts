import path from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles what the web pages load but cannot take as it is shipped: JsSIP
 * is CommonJS only, so esbuild wraps it for browsers as one script that
 * sets the JsSIP global the desktop's softphone uses. Writes
 * dist/web/jssip.js; `npm run build` runs it after tsc, the desktop's
 * tests before they start.
 */

const root = path.join(__dirname, '..');

export const webBundles = {
  jssip: path.join(root, 'dist', 'web', 'jssip.js'),
};

export async function buildWeb(): Promise<void> {
  await build({
    entryPoints: [path.join(root, 'node_modules', 'jssip', 'lib', 'JsSIP.js')],
    outfile: webBundles.jssip,
    bundle: true,
    format: 'iife',
    globalName: 'JsSIP',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

if (require.main === module) {
  buildWeb().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
