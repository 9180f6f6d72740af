// The order's states, in one place (issue 12.6): each state once, with where it may go and what it
// means to the rest of the kiosk. The contract's enum, the state machine, the views, the admin
// reports, retention and the renderer all derive their lists from this table, so a new state (a
// physical product's "shipping", say) is added here and TypeScript points at whatever must decide
// about it. Shared by main and renderer: no imports.

export const ORDER_STATES = [
  'created',
  'checked',
  'generating',
  'generated',
  'picked',
  'awaiting_payment',
  'paid',
  'delivering',
  'delivered',
  'abandoned',
  'payment_closed',
  'delivery_failed',
  'refund_pending',
  'refunded',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export interface StateFacts {
  /** Where a transition may lead (the state machine). */
  next: readonly OrderState[];
  /** Nothing more will happen to the order (ended_at is set). */
  final: boolean;
  /** The family has not paid; the kiosk may give the order up (restart, walk-away). */
  beforePayment: boolean;
  /** A customer's money was taken and not (yet) given back: the paid picture may be shown. */
  paidPicture: boolean;
  /** The pay screen treats the payment as done (refunded included: it says so). */
  paymentDone: boolean;
  /** The order is in front of the family: its photos and previews may be shown on the screen. */
  onScreen: boolean;
  /** The family's part is over: their original photos fall under the short retention. */
  photosDone: boolean;
  /** Money or a delivery was involved: the operator's order list shows it. */
  involvesMoney: boolean;
  /** The operator may print the delivered picture again. */
  reprintable: boolean;
  /** A walk-away must never cancel or hide it (a paid delivery in progress). */
  idleProtected: boolean;
  /** Photos may still be added (the camera, a relative's phone upload). */
  takesPhotos: boolean;
}

const f = (next: readonly OrderState[], facts: Partial<Omit<StateFacts, 'next'>>): StateFacts => ({
  next,
  final: false,
  beforePayment: false,
  paidPicture: false,
  paymentDone: false,
  onScreen: false,
  photosDone: false,
  involvesMoney: false,
  reprintable: false,
  idleProtected: false,
  takesPhotos: false,
  ...facts,
});

export const STATES: Record<OrderState, StateFacts> = {
  created: f(['checked', 'abandoned'], { beforePayment: true, onScreen: true, takesPhotos: true }),
  checked: f(['created', 'generating', 'abandoned'], { beforePayment: true, onScreen: true, takesPhotos: true }),
  // A failed generation goes back to checked so the family can try again for free.
  generating: f(['generated', 'checked', 'abandoned'], { beforePayment: true, onScreen: true }),
  generated: f(['picked', 'generating', 'abandoned'], { beforePayment: true, onScreen: true }),
  // Free packages (price 0) skip awaiting_payment.
  picked: f(['awaiting_payment', 'paid', 'abandoned'], { beforePayment: true, onScreen: true }),
  awaiting_payment: f(['paid', 'payment_closed'], { onScreen: true, involvesMoney: true }),
  // After a cancel the family may choose another package; a payment that still turns up is refunded.
  payment_closed: f(['awaiting_payment', 'abandoned', 'refund_pending'], { final: true, onScreen: true, photosDone: true, involvesMoney: true }),
  paid: f(['delivering'], { paidPicture: true, paymentDone: true, onScreen: true, involvesMoney: true, idleProtected: true }),
  delivering: f(['delivered', 'delivery_failed'], { paidPicture: true, paymentDone: true, onScreen: true, involvesMoney: true, idleProtected: true }),
  // The operator may refund a delivered order (a complaint); the system never does.
  delivered: f(['refund_pending'], { final: true, paidPicture: true, paymentDone: true, photosDone: true, involvesMoney: true, reprintable: true }),
  // The operator may retry a failed delivery (reprint) instead of refunding.
  delivery_failed: f(['refund_pending', 'delivering'], { paidPicture: true, paymentDone: true, photosDone: true, involvesMoney: true, reprintable: true }),
  refund_pending: f(['refunded'], { paidPicture: true, paymentDone: true, photosDone: true, involvesMoney: true, reprintable: true }),
  refunded: f([], { final: true, paymentDone: true, photosDone: true, involvesMoney: true, reprintable: true }),
  abandoned: f(['refund_pending'], { final: true, photosDone: true }),
};

/** The states with a given fact, in the table's order. */
export function statesWhere(fact: Exclude<keyof StateFacts, 'next'>): OrderState[] {
  return ORDER_STATES.filter((s) => STATES[s][fact]);
}

export const finalStates: readonly OrderState[] = statesWhere('final');
export const prePaymentStates: readonly OrderState[] = statesWhere('beforePayment');
