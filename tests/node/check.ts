// check.ts - a minimal reporter for the application-stack tests: one line
// per assertion, "PASS <what>" or "FAIL <what>" with "# " detail lines,
// which tests/drizzle.sh turns into TAP. Exit status 1 when any failed.
let failures = 0;

export function ok(cond: boolean, what: string, ...detail: unknown[]): void {
  console.log(`${cond ? 'PASS' : 'FAIL'} ${what}`);
  if (!cond) {
    failures++;
    for (const d of detail) {
      for (const line of (typeof d === 'string' ? d : JSON.stringify(d)).split('\n')) {
        console.log(`# ${line}`);
      }
    }
  }
}

export function is<T>(got: T, want: T, what: string): void {
  ok(got === want, what, `got:  ${String(got)}`, `want: ${String(want)}`);
}

/** Runs the test body; an exception is a failure of its own, not a crash. */
export async function main(body: () => Promise<void>, done: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    // drizzle-orm wraps the driver's error ("Failed query: ...") in its own;
    // PostgreSQL's message is the cause.
    const cause = e instanceof Error && e.cause instanceof Error ? `cause: ${e.cause.message}` : '';
    ok(false, 'no unexpected exception', e instanceof Error ? (e.stack ?? e.message) : String(e), cause);
  } finally {
    await done();
  }
  process.exitCode = failures ? 1 : 0;
}
