// Motion failures as kiosk data: a stable code, a Chinese line for the download page, and whether
// trying again later may help (the order flow retries or refunds per package rules).
import { KioskFailure } from '../../../shared/result';
import { isVideoError } from '../../../../native/video/errors';

export function motionFailure(e: unknown): KioskFailure {
  if (e instanceof KioskFailure) return e;
  if (isVideoError(e)) {
    switch (e.code) {
      case 'CANCELLED':
        return new KioskFailure('MOTION_CANCELLED', '微动态制作已取消', false);
      case 'TIMEOUT':
        return new KioskFailure('MOTION_TIMEOUT', '微动态制作超时，稍后会自动重试', true);
      case 'FFMPEG_MISSING':
        return new KioskFailure('MOTION_UNAVAILABLE', '本机暂不能制作微动态，请联系工作人员', false);
      case 'BAD_INPUT':
        return new KioskFailure('MOTION_BAD_INPUT', '这张照片无法制作微动态', false);
      default:
        return new KioskFailure('MOTION_FAILED', '微动态制作失败，稍后会自动重试', true);
    }
  }
  return new KioskFailure('MOTION_FAILED', '微动态制作失败，稍后会自动重试', true);
}
