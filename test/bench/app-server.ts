import { startBridgeline } from '../../src/app';
import { loadConfig } from '../../src/config';
import { pino } from 'pino';
import { serveAsChild } from './server-child';

/**
 * bridgeline in a process of its own, for the chat and SIP phases: started
 * with the environment the bench sends, as `npm start` would start it.
 */

export interface AppStart {
  env: Record<string, string>;
}

if (require.main === module) {
  serveAsChild<AppStart>(({ env }) =>
    startBridgeline(loadConfig(env), pino({ level: 'warn' }, process.stderr)),
  );
}
