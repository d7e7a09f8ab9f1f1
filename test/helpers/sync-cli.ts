/**
 * `dao-portal sync` with a test source injected (TEST_SYNC_SPACE): the real command code in a
 * child process, for test/sync-cli.test.ts. Arguments: [--dao slug] [--source name].
 */
import { parseArgs } from 'node:util';
import { run } from '../../src/cli/context.ts';
import { syncCommand } from '../../src/cli/sync.ts';
import { TestSource } from './sync-source.ts';

const { values } = parseArgs({ options: { dao: { type: 'string' }, source: { type: 'string' } } });
const source = new TestSource(process.env.TEST_SYNC_SPACE!, { delayMs: Number(process.env.TEST_SYNC_DELAY_MS ?? 0) });
await run(() => syncCommand(values, [source]));
