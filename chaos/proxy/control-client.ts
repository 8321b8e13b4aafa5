// Client for a TCP fault proxy's HTTP control API (see control-server.ts), for proxies that run
// in another process or container.
import type { ControlStats } from './control-server.js';
import type { ProxyFaults } from './proxy-faults.js';

const REQUEST_TIMEOUT_MS = 5_000;

export class ProxyControlClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  getFaults(): Promise<ProxyFaults> {
    return this.call<ProxyFaults>('GET', '/faults');
  }

  /** Replaces the proxy's faults; fields left out mean "no fault". */
  setFaults(faults: Partial<ProxyFaults>): Promise<ProxyFaults> {
    return this.call<ProxyFaults>('POST', '/faults', faults);
  }

  clearFaults(): Promise<ProxyFaults> {
    return this.call<ProxyFaults>('DELETE', '/faults');
  }

  stats(): Promise<ControlStats> {
    return this.call<ControlStats>('GET', '/stats');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`proxy control ${method} ${this.baseUrl}${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}
