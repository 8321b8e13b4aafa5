// Sleeping on the performance.now() clock that histories use: Node timers can fire up to a
// millisecond early by that clock, and a fault held "150 ms" must not be measured as 149.8.

/** Resolves once at least `ms` have passed by performance.now(), or at once when `signal` aborts. */
export function sleepAtLeast(ms: number, signal?: AbortSignal): Promise<void> {
  const until = performance.now() + ms;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const check = (): void => {
      const left = until - performance.now();
      if (left <= 0 || signal?.aborted) finish();
      else timer = setTimeout(check, Math.max(1, Math.ceil(left)));
    };
    signal?.addEventListener('abort', finish, { once: true });
    check();
  });
}
