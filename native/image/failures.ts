// Why an input could not be used, as stable codes with the words the kiosk screen shows.
// Codes are part of the contract with the UI and the CLI's --json output: never rename one.
export const INPUT_FAILURES = {
  EMPTY_FILE: '照片是空的，请重新拍摄或上传',
  NOT_AN_IMAGE: '这不是一张照片，请上传 JPG 或 PNG 图片',
  UNSUPPORTED_FORMAT: '暂不支持这种图片格式，请上传 JPG 或 PNG 照片',
  HEIC_NOT_SUPPORTED: '暂不支持苹果 HEIC 格式，请在手机“设置→相机→格式”选择“兼容性最佳”后重拍，或截图后上传',
  ANIMATED_IMAGE: '请上传静态照片，不支持动图',
  TOO_LARGE: '照片太大了，请上传 20MB 以内、5000 万像素以内的照片',
  IMAGE_TOO_SMALL: '照片太小了，请上传更清晰的照片',
  EXTREME_ASPECT: '照片太窄长了，请上传正常比例的照片',
  UNREADABLE: '照片文件已损坏或不完整，请重新拍摄或上传',
  DECODE_TIMEOUT: '照片处理超时，请换一张照片再试',
} as const;

export type InputFailureCode = keyof typeof INPUT_FAILURES;

export class InputFailure extends Error {
  constructor(
    readonly code: InputFailureCode,
    /** English detail for the log; never shown to the customer, never contains image bytes. */
    readonly detail: string,
  ) {
    super(INPUT_FAILURES[code]);
    this.name = 'InputFailure';
  }
}
