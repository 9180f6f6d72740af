// The kiosk's screens in flow order; 'admin' is the operator's screen (renderer/src/admin/).
export const phases = [
  'attract',
  'consent',
  'product',
  'style',
  'capture',
  'generating',
  'pick',
  'package',
  'pay',
  'deliver',
  'thanks',
  'admin',
] as const;
export type Phase = (typeof phases)[number];
