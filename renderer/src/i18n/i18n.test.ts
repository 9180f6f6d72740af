import { describe, expect, it } from 'vitest';
import { en } from './en';
import { errorText, hintText, reasonText, translate } from './index';
import { zh } from './zh';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n catalogues', () => {
  it('have exactly the same keys in Chinese and English', () => {
    const zhKeys = Object.keys(zh).sort();
    const enKeys = Object.keys(en).sort();
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
  });

  it('has no empty text and the same {placeholders} in both languages', () => {
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(zh[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]));
    }
  });

  it('English text is English (no Chinese left untranslated)', () => {
    // The language toggle label and the decorative seal are meant to be Chinese in both; the demo
    // ribbon shows 演示模式 in both so staff recognise it whatever the language; the simulated pay
    // page's button is labelled 确认支付 (the phone page is Chinese), so the hint quotes it.
    const allowed = new Set(['bar.lang', 'app.seal', 'demo.ribbon', 'pay.scan.simulated']);
    const leftovers = Object.entries(en).filter(([k, v]) => !allowed.has(k) && /[\u4e00-\u9fff]/.test(v));
    expect(leftovers).toEqual([]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('zh', 'capture.count', { n: 2, max: 6 })).toBe('已拍 2/6 张');
    expect(translate('en', 'capture.count', { n: 2 })).toBe('2/{max} photos taken');
  });

  it('shows main\'s Chinese error as sent, and the catalogue text for a known code in English', () => {
    expect(errorText('en', { code: 'OFFLINE', message: '网络连接中断，请稍候' })).toBe('Connection lost, please wait');
    expect(errorText('zh', { code: 'TOKEN_EXPIRED', message: '拍摄环节已结束，无法再上传' })).toBe('拍摄环节已结束，无法再上传');
    expect(errorText('en', { code: 'TOKEN_EXPIRED', message: '拍摄环节已结束，无法再上传' })).toBe(en['error.TOKEN_EXPIRED']);
    expect(errorText('zh', { code: 'PAYMENT_FAILED', message: '支付失败，请重试' })).toBe('支付失败，请重试');
    expect(errorText('en', { code: 'PAYMENT_FAILED', message: '支付失败，请重试' })).toBe('支付失败，请重试');
    expect(errorText('zh', { code: 'PRINTER_NOT_READY', message: '' })).toBe(zh['error.PRINTER_NOT_READY']);
    expect(errorText('zh', { code: 'WHATEVER', message: '' })).toBe(zh['error.INTERNAL']);
  });

  it('keeps main\'s specific Chinese reason text, and translates known reasons in English', () => {
    const r = { code: 'FACE_TOO_SMALL', message: '脸太小了（60 像素），请靠近一点' };
    expect(reasonText('zh', r)).toBe(r.message);
    expect(reasonText('en', r)).toBe(en['reason.FACE_TOO_SMALL']);
    expect(reasonText('en', { code: 'NEW_RULE', message: '新规则' })).toBe('新规则');
    expect(hintText('en', 'MOVE_CLOSER', '请靠近一点')).toBe('Please come a little closer');
    expect(hintText('en', 'SOMETHING_NEW', '新提示')).toBe('新提示');
  });
});
