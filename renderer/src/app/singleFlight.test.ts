import { describe, expect, it } from 'vitest';
import { singleFlight } from './singleFlight';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('double taps', () => {
  it('a second tap while the call is in flight starts nothing', async () => {
    const calls: string[] = [];
    const d = deferred();
    const pay = singleFlight(async (pkg: string) => {
      calls.push(pkg);
      await d.promise;
    });
    const first = pay.run('print');
    const second = pay.run('print');
    const third = pay.run('digital');
    expect(pay.busy).toBe(true);
    d.resolve();
    expect(await Promise.all([first, second, third])).toEqual([true, false, false]);
    expect(calls).toEqual(['print']);
    expect(pay.busy).toBe(false);
  });

  it('after the call ends (even by failing) the button works again', async () => {
    let n = 0;
    const d = deferred();
    const shoot = singleFlight(async () => {
      n++;
      if (n === 1) await d.promise;
    });
    const first = shoot.run();
    d.reject(new Error('camera gone'));
    await expect(first).rejects.toThrow('camera gone');
    expect(await shoot.run()).toBe(true);
    expect(n).toBe(2);
  });
});
