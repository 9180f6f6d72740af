import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { adminErrorText, textOr, yuanToFen } from './adminSession';

describe('admin screen helpers', () => {
  it('reads prices typed in yuan as whole fen and refuses anything else', () => {
    expect(yuanToFen('12.8')).toBe(1280);
    expect(yuanToFen(' 9.90 ')).toBe(990);
    expect(yuanToFen('0')).toBe(0);
    expect(yuanToFen('19.999')).toBeNaN();
    expect(yuanToFen('-1')).toBeNaN();
    expect(yuanToFen('1e3')).toBeNaN();
    expect(yuanToFen('')).toBeNaN();
  });

  it('shows main\'s specific Chinese message (tries left) and the catalogue text in English', () => {
    const e = { code: 'PIN_WRONG', message: '密码不正确，还可以再试 3 次', retryable: false };
    expect(adminErrorText('zh', e)).toBe(e.message);
    expect(adminErrorText('en', e)).toBe(en['error.PIN_WRONG']);
    expect(adminErrorText('en', { code: 'NEW_CODE', message: '新错误', retryable: false })).toBe('新错误');
  });

  it('translates codes that arrive as data, and shows unknown ones as they are', () => {
    expect(textOr('en', 'admin.health.code.CLOCK_WRONG', 'CLOCK_WRONG')).toMatch(/clock/i);
    expect(textOr('en', 'admin.health.code.SOMETHING_NEW', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(textOr('zh', 'admin.issue.range', 'range', { min: 15, max: 3600 })).toBe('请输入 15–3600 之间的数');
  });
});
