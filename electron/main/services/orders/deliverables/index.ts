// The handler of each kind of deliverable. The Record over the kinds makes a kind added to
// kinds.ts without a handler here a type error, so the list and the handlers cannot drift apart.
import type { DeliverableHandler, HandlerContext } from './handler';
import type { DeliverableKind } from './kinds';
import { motionHandler } from './motion';
import { photoHandler } from './photo';
import { printHandler, type PrintHandler } from './print';

export type Handlers = Record<DeliverableKind, DeliverableHandler> & { print: PrintHandler };

export function makeHandlers(ctx: HandlerContext): Handlers {
  return { photo: photoHandler(ctx), print: printHandler(ctx), motion: motionHandler(ctx) };
}

export { DELIVERABLE_KINDS, SHARED_FILES, type DeliverableKind, type DeliverableStatus } from './kinds';
export type { DeliverableHandler, DeliveryRun, HandlerContext } from './handler';
