// The catalogue as the kiosk screen receives it (app:get-catalog): the operator's packages with
// what cannot be sold right now switched off, the free try's budget for today, the after-sales
// contact, and who processes the photos when a cloud provider is on (the consent screen names them).
// Kept out of the composition root (app.ts) so the rules of the sale live in one place.
import type { Catalog } from '../../shared/contract';
import type { KioskConfig } from './config';
import type { Catalog as OrderCatalog } from './orders/context';
import type { FreeQuota } from './orders/freeQuota';

export interface CatalogViewDeps {
  config: KioskConfig;
  catalog: () => OrderCatalog;
  free: FreeQuota;
  printerReady: () => Promise<{ ready: boolean }>;
  /** Package ids the health service cannot sell now (network down, provider unreachable). */
  unavailable: (packages: OrderCatalog['packages']) => { packageId: string }[];
  host: 'electron' | 'browser';
  version: string;
}

/**
 * Cloud processors by provider choice, in the words of the consent screen: which company, and what
 * it receives. One list, so the consent text follows the configuration.
 */
export function photoProcessors(providers: KioskConfig['providers']): NonNullable<Catalog['settings']['processors']> {
  const out: NonNullable<Catalog['settings']['processors']> = [];
  if (providers.generator === 'jimeng' || providers.motion === 'jimeng') {
    out.push({
      id: 'volcengine',
      name: { zh: '火山引擎（即梦 AI）', en: 'Volcengine (Jimeng AI)' },
      sends: {
        zh: '为生成照片，拍摄或上传的家人照片（压缩后）和所选风格描述会发送给火山引擎处理，生成后即不再保留',
        en: 'To make the picture, your compressed family photos and the chosen style description are sent to Volcengine for processing',
      },
    });
  }
  if (providers.share === 'oss') {
    out.push({
      id: 'aliyun-oss',
      name: { zh: '阿里云（对象存储 OSS）', en: 'Alibaba Cloud (OSS storage)' },
      sends: {
        zh: '成片（以及需要时的照片原图）存放在阿里云对象存储，供手机下载；原图 24 小时内删除，成片 30 天后删除',
        en: 'Results (and, where needed, the original photos) are stored in Alibaba Cloud OSS for the phone download; originals deleted within 24 h, results after 30 days',
      },
    });
  }
  return out;
}

export async function catalogForScreen(d: CatalogViewDeps): Promise<Catalog> {
  const printerStatus = await d.printerReady().catch(() => ({ ready: false }));
  const catalog = d.catalog();
  const blocked = new Set(d.unavailable(catalog.packages).map((u) => u.packageId));
  const free = d.free.check();
  return {
    ...catalog,
    packages: catalog.packages.map((p) => (blocked.has(p.id) ? { ...p, enabled: false } : p)),
    settings: {
      idleTimeoutSec: d.config.idleTimeoutSec,
      paymentTimeoutSec: d.config.paymentTimeoutSec,
      regenerationsAllowed: d.config.regenerationsAllowed,
      printerReady: printerStatus.ready,
      printerMessage: printerStatus.ready ? undefined : '打印机暂时不能使用，可选择电子版',
      host: d.host,
      version: d.version,
      free: {
        dailyBudget: d.config.sale.freeDailyBudget,
        usedToday: d.free.usedToday(),
        available: free.ok,
        reason: free.ok ? undefined : free.code,
      },
      afterSalesContact: d.config.sale.afterSalesContact || undefined,
      processors: photoProcessors(d.config.providers),
    },
  };
}
