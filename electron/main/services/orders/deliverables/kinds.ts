// The one list of what a paid order can deliver. Each kind is a row in `deliverables` (store
// migration 7) and has one handler (./index.ts: TypeScript refuses a kind without one).
// A greeting card or a physical product is a new entry here plus its handler; see ../README.md.

export const DELIVERABLE_KINDS = ['photo', 'print', 'motion'] as const;
export type DeliverableKind = (typeof DELIVERABLE_KINDS)[number];

/**
 * One vocabulary for every kind: pending (planned or to be retried), working (its side effect may
 * have started: the job key is stored), done, failed.
 */
export type DeliverableStatus = 'pending' | 'working' | 'done' | 'failed';

/** Files each kind puts in the order's phone-share folder (retention removes them with the order). */
export const SHARED_FILES: Record<DeliverableKind, readonly string[]> = {
  // index.html: the OSS share's download page (it names the order code); card.html and thumb.jpg:
  // its greeting card page and preview (paid orders).
  photo: ['photo.jpg', 'index.html', 'card.html', 'thumb.jpg'],
  print: [],
  motion: ['living.mp4', 'live.jpg', 'live.mov'],
};
