import { loadConfig } from '../../src/config/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { Notifications } from '../../src/notify/service.ts';

/**
 * A dispatcher process for the exactly-once tests: polls the database of DATABASE_URL every
 * 100 ms; with TEST_CRASH_AFTER=n it kills itself (SIGKILL, no clean-up) after its n-th send
 * returned and before that send's outcome is recorded: the crash between send and mark.
 */
const config = loadConfig();
const crashAfter = Number(process.env.TEST_CRASH_AFTER ?? 0);
const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 3 });
const notifications = await Notifications.open(database, config.notify);
let sends = 0;
const dispatcher = new Dispatcher(database, notifications, createLogger('silent'), {
  leaseMs: Number(process.env.TEST_LEASE_MS ?? 3000),
  pollMs: 100,
  batch: 4,
  afterSend: () => {
    sends++;
    process.stdout.write(`sent ${sends}\n`);
    if (crashAfter && sends === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});
dispatcher.start();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await dispatcher.stop();
  await database.close();
  process.exit(0);
});
