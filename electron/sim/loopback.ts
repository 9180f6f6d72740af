// The simulators deliver notifications only to this machine: a test must never post to the network.
export const isLoopbackUrl = (u: string): boolean => {
  try {
    const h = new URL(u).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]' || h === '::1';
  } catch {
    return false;
  }
};
