// THE list of providers. Each adapter declares itself once, in its own folder (a `descriptor.ts`
// built with defineProvider, see providerDef.ts); this file only lists them. Everything that
// names providers reads this list, so TypeScript keeps them in step:
//   config validation (services/config: `providers.<kind>` ids, KIOSK_<KIND> env, sections),
//   providers.ts (the factories), the admin settings (choices, secret names), health (demo /
//   endpoint to probe), the secret store's accepted names, the CLIs' provider lists.
//
// Adding a provider (e.g. payment "alipay"):
//   1. its folder, e.g. electron/main/services/payment/alipay/, with the adapter and a
//      `descriptor.ts` (defineProvider: id, kind, label, demo, section, env, secrets, check,
//      endpoint, create);
//   2. one import + one line in PROVIDERS below;
//   3. README.md's configuration table (its env variables and secrets), by hand.
// Nothing else: the config schema, admin choices, secret names and health pick it up from here.
import { PROVIDER_KINDS, type ProviderDef, type ProviderKind, type SecretDecl } from './providerDef';
import { localGeneratorProvider } from './services/generator/local/descriptor';
import { jimengGeneratorProvider } from './services/generator/jimeng/descriptor';
import { simulatedPaymentProvider } from './services/payment/simulated/descriptor';
import { wechatpayProvider } from './services/payment/wechatpay/descriptor';
import { alipayProvider } from './services/payment/alipay/descriptor';
import { lanShareProvider } from './services/share/lan/descriptor';
import { ossShareProvider } from './services/share/oss/descriptor';
import { cupsPrinterProvider, electronPrinterProvider, pdfPrinterProvider } from './services/print/descriptors';
import { jimengMotionProvider, localMotionProvider } from './services/motion/descriptors';

export { PROVIDER_KINDS, type ProviderKind } from './providerDef';

/** Every provider, the default of each kind first. */
export const PROVIDERS = [
  localGeneratorProvider,
  jimengGeneratorProvider,
  simulatedPaymentProvider,
  wechatpayProvider,
  alipayProvider,
  lanShareProvider,
  ossShareProvider,
  pdfPrinterProvider,
  cupsPrinterProvider,
  electronPrinterProvider,
  localMotionProvider,
  jimengMotionProvider,
] as const;

type AnyDef = (typeof PROVIDERS)[number];
/** The ids of one kind, as a type: `ProviderId<'payment'>` is 'simulated' | 'wechatpay'. */
export type ProviderId<K extends ProviderKind> = Extract<AnyDef, { kind: K }>['id'];
export type ProviderChoice = { [K in ProviderKind]: ProviderId<K> };
/** The config.json sections providers read (plus `checks`, which is not a provider's). */
export type ProviderSection = AnyDef extends ProviderDef<ProviderKind, string, infer S> ? S : never;

/** The environment variable that picks each kind (README: KIOSK_GENERATOR …). */
export const KIND_ENV: { [K in ProviderKind]: string } = {
  generator: 'KIOSK_GENERATOR',
  payment: 'KIOSK_PAYMENT',
  share: 'KIOSK_SHARE',
  printer: 'KIOSK_PRINTER',
  motion: 'KIOSK_MOTION',
};

export function providersOf<K extends ProviderKind>(kind: K): ProviderDef<K, ProviderId<K>>[] {
  return (PROVIDERS as readonly ProviderDef[]).filter((p) => p.kind === kind) as ProviderDef<K, ProviderId<K>>[];
}

/** The ids of a kind as a non-empty tuple (for z.enum); the first is the default. */
export function providerIds<K extends ProviderKind>(kind: K): [ProviderId<K>, ...ProviderId<K>[]] {
  return providersOf(kind).map((p) => p.id) as [ProviderId<K>, ...ProviderId<K>[]];
}

export function defaultProviders(): ProviderChoice {
  return Object.fromEntries(PROVIDER_KINDS.map((k) => [k, providerIds(k)[0]])) as ProviderChoice;
}

export function providerDef<K extends ProviderKind>(kind: K, id: string): ProviderDef<K, ProviderId<K>> | undefined {
  return providersOf(kind).find((p) => p.id === id);
}

export function isProviderId<K extends ProviderKind>(kind: K, id: unknown): id is ProviderId<K> {
  return typeof id === 'string' && providersOf(kind).some((p) => p.id === id);
}

/** The chosen providers that are embedded demos (the kiosk shows 演示模式 while there is one). */
export function demoProviders(choice: ProviderChoice): { kind: ProviderKind; id: string; label: string }[] {
  return PROVIDER_KINDS.flatMap((k) => {
    const d = providerDef(k, choice[k]);
    return d?.demo ? [{ kind: k, id: d.id, label: d.label }] : [];
  });
}

/** Every secret any provider reads, once each (what the admin screen may set). */
export function secretDecls(): SecretDecl[] {
  const seen = new Map<string, SecretDecl>();
  for (const p of PROVIDERS as readonly ProviderDef[]) for (const s of p.secrets) if (!seen.has(s.name)) seen.set(s.name, s);
  return [...seen.values()];
}

export function secretNames(): string[] {
  return secretDecls().map((s) => s.name);
}

/** The config.json sections providers read, once each. */
export function providerSections(): ProviderSection[] {
  return [...new Set((PROVIDERS as readonly ProviderDef[]).flatMap((p) => (p.section ? [p.section as ProviderSection] : [])))];
}
