// The greeting card on the download page (paid orders): the family picks one of the templates,
// types their message, and the kiosk draws the card; they save the picture or share its page.
// The message rule is the listener's own (electron/shared/cards.ts), said here while typing.
import { useState } from 'react';
import { CARD_MESSAGE_MAX, CARD_TEMPLATES, cardMessageProblem, type CardTemplateId } from '../../../electron/shared/cards';
import type { KioskError } from '../../../electron/shared/result';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import type { CardInfo, PhoneApi } from './api';
import { PhoneError } from './PhoneShell';

export function CardMaker({ api, token, card, onSaved }: { api: PhoneApi; token: string; card?: CardInfo; onSaved: (c: CardInfo) => void }) {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [template, setTemplate] = useState<CardTemplateId>(card?.template ?? 'chunjie');
  const [message, setMessage] = useState(card?.message ?? '');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);
  const problem = cardMessageProblem(message);
  const count = Array.from(message.trim()).length;

  const save = async () => {
    setTouched(true);
    if (problem) return;
    setBusy(true);
    setError(null);
    const r = await api.cardSave(token, { template, message });
    setBusy(false);
    if (r.ok) onSaved(r.value);
    else setError(r.error);
  };

  return (
    <section className="phone-card card-maker" data-testid="card-maker">
      <h2>{t('phone.card.template')}</h2>
      <div className="card-templates" role="radiogroup" aria-label={t('phone.card.template')}>
        {CARD_TEMPLATES.map((x) => (
          <button
            key={x.id}
            type="button"
            role="radio"
            aria-checked={template === x.id}
            className={`card-template card-template-${x.id}${template === x.id ? ' is-on' : ''}`}
            data-testid={`card-template-${x.id}`}
            onClick={() => setTemplate(x.id)}
          >
            <span className="card-template-heading">{x.heading}</span>
            <span className="card-template-name">{lang === 'zh' ? x.zh : x.en}</span>
          </button>
        ))}
      </div>
      <label className="card-message">
        <span>{t('phone.card.message', { max: CARD_MESSAGE_MAX })}</span>
        <textarea
          data-testid="card-message"
          rows={2}
          value={message}
          placeholder={t('phone.card.placeholder')}
          onChange={(e) => setMessage(e.target.value.replace(/\n/g, ' '))}
          onBlur={() => setTouched(true)}
        />
        <span className={`card-count${count > CARD_MESSAGE_MAX ? ' is-over' : ''}`} data-testid="card-count">
          {count}/{CARD_MESSAGE_MAX}
        </span>
      </label>
      {touched && problem && (
        <p className="phone-error" role="alert" data-testid="card-problem" data-problem={problem}>
          {t(`phone.card.problem.${problem}`)}
        </p>
      )}
      <Button testId="card-save" busy={busy} disabled={touched && !!problem} onClick={() => void save()}>
        {busy ? t('phone.card.saving') : t('phone.card.save')}
      </Button>
      <PhoneError error={error} />
      {card && (
        <div className="card-result" data-testid="card-result">
          <img className="phone-photo" src={card.imageUrl} alt={card.message} data-testid="card-image" />
          <p className="phone-save">{t('phone.card.saved')}</p>
          <a className="card-link" href={card.pageUrl} data-testid="card-link">
            {t('phone.card.link')}
          </a>
        </div>
      )}
    </section>
  );
}
