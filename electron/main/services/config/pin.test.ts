import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin } from './pin';

describe('admin PIN hashing', () => {
  it('verifies the right PIN and refuses a wrong one', async () => {
    const h = await hashPin('246810');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(h).not.toContain('246810');
    expect(await verifyPin('246810', h)).toBe(true);
    expect(await verifyPin('246811', h)).toBe(false);
    expect(await hashPin('246810')).not.toBe(h); // salted
  });

  it('refuses malformed or abusive hash strings without throwing', async () => {
    const h = await hashPin('1234');
    const [, , r, p, salt, key] = h.split('$');
    for (const bad of ['', 'plain', `bcrypt$16384$${r}$${p}$${salt}$${key}`, `scrypt$1048576$8$1$${salt}$${key}`, `scrypt$1000$8$1$${salt}$${key}`, `scrypt$16384$8$1$$${key}`, `scrypt$16384$8$1$${salt}$`]) {
      expect(await verifyPin('1234', bad)).toBe(false);
    }
    expect(await verifyPin('', h)).toBe(false);
  });

  it('only hashes 4–12 digit PINs', async () => {
    await expect(hashPin('12')).rejects.toThrow();
    await expect(hashPin('abcd')).rejects.toThrow();
  });
});
