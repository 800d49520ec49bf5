// HTTP basic auth against web-config bcrypt hashes. bcrypt at cost 10 takes ~70 ms of CPU by design, too much
// for every scrape, so a successful (user, hash, password) triple is remembered as a SHA-256 digest: the next
// scrape costs one hash and a constant-time compare. Failures are never cached (an attacker would only fill
// memory), an unknown user still pays one bcrypt round (no user enumeration by timing), and a hash changed in
// the file invalidates the entry because the hash is part of the digest.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

export class BasicAuthenticator {
  private readonly verified = new Map<string, Buffer>();
  /** Dummy hash for unknown users, per users map (one per web-config load), at the map's highest cost. */
  private dummies = new WeakMap<ReadonlyMap<string, string>, string>();

  /** The hash an unknown user is compared against: same cost as the configured ones, so the same time. */
  dummyHash(users: ReadonlyMap<string, string>): string {
    let dummy = this.dummies.get(users);
    if (dummy === undefined) {
      let cost = 4;
      for (const hash of users.values()) cost = Math.max(cost, bcrypt.getRounds(hash));
      dummy = bcrypt.hashSync('kata-audit unknown user', bcrypt.genSaltSync(cost));
      this.dummies.set(users, dummy);
    }
    return dummy;
  }

  /** Whether the Authorization header names one of `users` with the right password. */
  async check(header: string | undefined, users: ReadonlyMap<string, string>): Promise<boolean> {
    const credentials = parseBasic(header);
    if (credentials === null) return false;
    const hash = users.get(credentials.user);
    if (hash === undefined) {
      await bcrypt.compare(credentials.password, this.dummyHash(users));
      return false;
    }
    const digest = createHash('sha256').update(`${credentials.user}\0${hash}\0${credentials.password}`).digest();
    const known = this.verified.get(credentials.user);
    if (known !== undefined && timingSafeEqual(known, digest)) return true;
    const ok = await bcrypt.compare(credentials.password, hash);
    if (ok) this.verified.set(credentials.user, digest);
    return ok;
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined) return null;
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
