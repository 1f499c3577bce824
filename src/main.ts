import closeWithGrace from 'close-with-grace';
import { startBridgeline } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './log';

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG: the environment, not the code, is wrong
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const bridgeline = await startBridgeline(config, logger).catch(
    (err: unknown) => {
      logger.fatal({ err }, 'bridgeline could not start');
      process.exit(1);
    },
  );

  closeWithGrace(
    { delay: config.shutdownGraceMs, logger },
    async ({ signal, err }) => {
      if (err) {
        logger.error({ err }, 'stopping after an uncaught error');
      } else {
        logger.info({ signal }, 'stopping');
      }
      await bridgeline.close();
    },
  );
}

void main();
