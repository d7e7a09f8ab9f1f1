import type { Worker } from 'bullmq';

/**
 * Closes a BullMQ worker: gracefully (running jobs finish) when its Redis connection is up, forced
 * when Redis has not answered within `graceMs`. A graceful close waits for a connection that an
 * unreachable Redis never gives, which hung shutdown; a forced one leaves nothing behind here, as
 * no job can run without Redis (BullMQ hands a job it had given out to another worker when its lock
 * lapses).
 */
export async function closeWorker(worker: Worker, graceMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const connected = await Promise.race([
    worker.waitUntilReady().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  await worker.close(!connected);
}
