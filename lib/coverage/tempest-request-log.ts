import type { ExercisedRequest } from './coverage-report.js';

/**
 * Tempest's own request log, read as the requests it sent: tempest.lib's rest client logs one INFO
 * line per answered request, `Request (<Class>:<test_method>): <status> <METHOD> <url> <secs>s`
 * (a `Request - Headers:` debug line follows it; that one is not a request). bench:conformance
 * matches them with the same api-ref table as ours (lib/coverage/path-template.ts), so both
 * sides' covered operations and requests per covered operation are counted alike.
 * Hand-written: no library reads Tempest's log format.
 */
const REQUEST_LINE = /\bRequest \(([^)]*)\): (\d{3}) ([A-Z]+) (\S+)/;

export function parseTempestRequestLog(text: string): ExercisedRequest[] {
  const out: ExercisedRequest[] = [];
  for (const line of text.split('\n')) {
    const m = REQUEST_LINE.exec(line);
    if (!m) continue;
    const [, caller, status, method, url] = m;
    let path: string;
    try {
      const u = new URL(url!);
      path = u.pathname + u.search;
    } catch {
      continue; // not a URL: not a request line after all
    }
    out.push({ method: method!, path, status: Number(status), testId: caller!, testTitle: caller! });
  }
  return out;
}
