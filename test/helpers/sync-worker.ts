/**
 * `dao-portal worker` with a test source answering for DAOs whose Snapshot space ends in
 * TEST_SYNC_SUFFIX: the real worker code in a child process, for test/sync-worker.test.ts.
 * Spaces starting with `slow` take 5 s a run; each run announces itself on stderr.
 */
import { run } from '../../src/cli/context.ts';
import { workerCommand } from '../../src/cli/worker.ts';
import { TestSource } from './sync-source.ts';

const suffix = process.env.TEST_SYNC_SUFFIX!;
const delayMs = Number(process.env.TEST_SYNC_DELAY_MS ?? 0);
const bySpace = new Map<string, TestSource>();
const sourceFor = (space: string) =>
  bySpace.get(space) ??
  bySpace.set(space, new TestSource(space, { delayMs: space.startsWith('slow') ? 5000 : delayMs })).get(space)!;
await run(() =>
  workerCommand([
    {
      name: 'snapshot',
      appliesTo: (dao) => Boolean(dao.snapshotSpace?.endsWith(suffix)),
      run: (ctx) => {
        process.stderr.write(`run-start ${ctx.dao.snapshotSpace}\n`);
        return sourceFor(ctx.dao.snapshotSpace!).run(ctx);
      },
    },
  ]),
);
