// The greeting card (贺卡) a paying family makes on their phone: one of the templates below, their
// own message. The one list of templates (phone page, card renderer, card page), and the rule a
// message must meet, shared by the phone page (to say so while typing) and the listener (to refuse).
import { z } from 'zod';

export const CARD_TEMPLATES = [
  { id: 'chunjie', zh: '春节红', en: 'Spring red', heading: '恭贺新春' },
  { id: 'tuanyuan', zh: '团圆金', en: 'Reunion gold', heading: '阖家团圆' },
  { id: 'shuimo', zh: '水墨', en: 'Ink wash', heading: '岁岁平安' },
] as const;
export type CardTemplateId = (typeof CARD_TEMPLATES)[number]['id'];
export const CARD_TEMPLATE_IDS = CARD_TEMPLATES.map((t) => t.id) as [CardTemplateId, ...CardTemplateId[]];

/** Characters (code points, so 汉字 count one each) a message may have: two lines on the card. */
export const CARD_MESSAGE_MAX = 40;

/**
 * Emoji and other pictographs: the card is drawn with the CJK font on the kiosk, which has none, so
 * they would come out as empty boxes; the page says so instead of printing boxes on a family's card.
 */
const PICTOGRAPH = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{FE0F}\u{200D}]/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The same patterns as data, for the static OSS pages' own script (they cannot import this module). */
export const CARD_MESSAGE_PATTERNS = { pictograph: PICTOGRAPH, control: CONTROL } as const;

export type CardMessageProblem = 'empty' | 'tooLong' | 'emoji' | 'control';

/** Why a message cannot go on a card, or null when it can (after trimming). */
export function cardMessageProblem(message: string): CardMessageProblem | null {
  const m = message.trim();
  if (m.length === 0) return 'empty';
  if (PICTOGRAPH.test(m)) return 'emoji';
  if (CONTROL.test(m)) return 'control';
  if (Array.from(m).length > CARD_MESSAGE_MAX) return 'tooLong';
  return null;
}

/** What the phone sends to save a card. */
export const CardDraft = z.object({
  template: z.enum(CARD_TEMPLATE_IDS),
  message: z
    .string()
    .max(400)
    .transform((s) => s.trim())
    .refine((s) => cardMessageProblem(s) === null, { message: 'card message' }),
});
export type CardDraft = z.infer<typeof CardDraft>;
