// web-config rate_limit: a token bucket over all requests, as exporter-toolkit has it (one request per
// interval on average, bursts up to `burst`). It runs before authentication, so a flood of wrong passwords
// cannot keep the CPU busy with bcrypt.
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly intervalMs: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token; false when the bucket is empty (answer 429). */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
