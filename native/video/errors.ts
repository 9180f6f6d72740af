// Errors of the video pipeline as data: a stable code the motion service maps to a kiosk failure.

export type VideoErrorCode =
  | 'CANCELLED' // the AbortSignal fired; ffmpeg was killed
  | 'TIMEOUT' // the job ran past its time limit; ffmpeg was killed
  | 'FFMPEG_MISSING' // no ffmpeg/ffprobe binary
  | 'FFMPEG_FAILED' // ffmpeg exited non-zero or could not read its input
  | 'BAD_INPUT' // unreadable image, unknown effect, nonsense options
  | 'LIVE_PHOTO_FAILED'; // the MOV/JPEG pair could not be written

export class VideoError extends Error {
  constructor(
    readonly code: VideoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VideoError';
  }
}

export function isVideoError(e: unknown): e is VideoError {
  return e instanceof VideoError;
}
