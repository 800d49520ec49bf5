// Per-client budgets for the HTTP surface. One client (one remote address) must not be able to starve the
// others: failed logins are limited per address before bcrypt runs (a wrong password costs ~70 ms of CPU at
// cost 10, four times that at 12), and connections are capped per address so that trickling clients cannot
// hold every slot. Both maps are bounded: an attacker with many addresses evicts only the oldest entries.

/** Failed authentications allowed in a burst per address, and how fast the budget refills. */
export const AUTH_FAILURE_BURST = 5;
export const AUTH_FAILURE_REFILL_MS = 2_000;
const MAX_TRACKED_CLIENTS = 4096;

export class AuthFailureBudget {
  private readonly clients = new Map<string, { tokens: number; last: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether the client may try to authenticate (has budget left for one more failure). */
  allows(address: string): boolean {
    return this.refilled(address) >= 1;
  }

  /** Seconds until the client has budget again, for Retry-After. */
  retryAfterSeconds(address: string): number {
    const tokens = this.refilled(address);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * AUTH_FAILURE_REFILL_MS) / 1000);
  }

  recordFailure(address: string): void {
    const tokens = this.refilled(address);
    this.clients.delete(address); // re-insert: the Map's order is then least recently failed first
    if (this.clients.size >= MAX_TRACKED_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    this.clients.set(address, { tokens: Math.max(0, tokens - 1), last: this.now() });
  }

  private refilled(address: string): number {
    const entry = this.clients.get(address);
    if (entry === undefined) return AUTH_FAILURE_BURST;
    return Math.min(AUTH_FAILURE_BURST, entry.tokens + (this.now() - entry.last) / AUTH_FAILURE_REFILL_MS);
  }
}

/**
 * Open connections per remote address; a connection over the cap is closed at accept. The last `reserve` slots
 * of the server's total are kept for addresses that hold no connection yet: many greedy clients together cannot
 * lock a new one (a Prometheus that just restarted) out.
 */
export class ConnectionsPerClient {
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(
    readonly max: number,
    private readonly totalMax: number = Number.POSITIVE_INFINITY,
    private readonly reserve: number = 0,
  ) {}

  /** Counts the connection in, or returns false when its address is at the cap (or only the reserve is left). */
  admit(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (count >= this.max) return false;
    if (count > 0 && this.total >= this.totalMax - this.reserve) return false;
    this.open.set(address, count + 1);
    this.total++;
    return true;
  }

  release(address: string): void {
    if (!this.open.has(address)) return;
    this.total--;
    const count = (this.open.get(address) ?? 1) - 1;
    if (count <= 0) this.open.delete(address);
    else this.open.set(address, count);
  }
}
