/**
 * A lookup that may not hold up call setup: RFC 3261 §17.2.1 expects a
 * provisional answer within 200 ms, so past its budget a lookup is given
 * up (it may still finish; nobody waits) and the call goes on without it.
 */
export type Budgeted<T> = { ok: true; value: T } | { ok: false; why: string };

export async function withinBudget<T>(
  work: Promise<T>,
  budgetMs: number,
): Promise<Budgeted<T>> {
  if (budgetMs <= 0) {
    work.catch(() => undefined);
    return { ok: false, why: 'no budget left' };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Budgeted<T>>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, why: `over ${budgetMs} ms` });
    }, budgetMs);
  });
  const done = work.then(
    (value): Budgeted<T> => ({ ok: true, value }),
    (err: unknown): Budgeted<T> => ({
      ok: false,
      why: err instanceof Error ? err.message : 'failed',
    }),
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
