// TOTP codes as an authenticator app makes them (RFC 6238: HMAC-SHA1,
// 6 digits, 30 s), for the tests of two-factor login.
import { createHmac } from 'node:crypto';

export function base32Decode(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const ch of s.replace(/[=\s]/g, '').toUpperCase()) {
    acc = (acc << 5) | abc.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((acc >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

export function totpAt(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const off = mac[19] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

export const stepNow = () => Math.floor(Date.now() / 1000 / 30);

// Codes for one account, each of a later step than the last one used (the
// server accepts a step once), within the ±1 step the server allows.
export class Authenticator {
  constructor(secret) { this.secret = secret; this.last = -Infinity; }
  next() {
    const step = Math.max(this.last + 1, stepNow() - 1);
    if (step > stepNow() + 1) throw new Error('no unused step in the window: wait 30 s');
    this.last = step;
    return totpAt(this.secret, step);
  }
  // A code of no step in the window.
  wrong() {
    const now = stepNow(), used = new Set([-1, 0, 1].map((d) => totpAt(this.secret, now + d)));
    for (let v = 0; ; v++) { const c = String(v * 111111 % 1000000).padStart(6, '0'); if (!used.has(c)) return c; }
  }
}
