// The settings form. Numbers are edited as text (prices in yuan) and sent as numbers; main checks
// every range and sends back one issue per bad field, shown under that field. Secrets are
// write-only: the form shows "set / not set" and a field to paste a new value, never the value.
import { useEffect, useState, type ReactNode } from 'react';
import type { AdminSettings, AdminSettingsDraft, AdminSettingsView, SettingsIssue } from '../../../electron/shared/contract';
import { formatFen } from '../app/countdown';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { pickText } from '../i18n';
import { adminCall, adminErrorText, textOr, yuanToFen } from './adminSession';

type NumberField = 'idleTimeoutSec' | 'paymentTimeoutSec' | 'regenerationsAllowed' | 'resultRetentionDays' | 'originalRetentionHours';
const NUMBER_FIELDS: NumberField[] = ['idleTimeoutSec', 'paymentTimeoutSec', 'regenerationsAllowed', 'resultRetentionDays', 'originalRetentionHours'];
type ThresholdField = keyof AdminSettings['thresholds'];
const THRESHOLD_FIELDS: ThresholdField[] = ['minFacePx', 'minFaceScore', 'paperWarnBelow', 'diskMinFreeMb'];
/** The provider kinds in form order; the choices of each come from main's provider registry (view.providerOptions). */
const PROVIDER_KINDS: (keyof AdminSettings['providers'])[] = ['generator', 'payment', 'share', 'printer', 'motion'];
/** Fields entered in yuan but kept in fen. */
const FEN_PATHS = /(priceFen|dailyRefundCapFen)$/;

/** The form's text for every number, keyed by the setting's dotted path. */
function textsOf(s: AdminSettings): Record<string, string> {
  const t: Record<string, string> = {};
  s.packages.forEach((p, i) => (t[`packages.${i}.priceFen`] = formatFen(p.priceFen)));
  for (const f of NUMBER_FIELDS) t[f] = String(s[f]);
  t.dailyRefundCapFen = formatFen(s.dailyRefundCapFen);
  for (const f of THRESHOLD_FIELDS) t[`thresholds.${f}`] = String(s.thresholds[f]);
  return t;
}

export function SettingsTab() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [view, setView] = useState<AdminSettingsView | null>(null);
  const [draft, setDraft] = useState<AdminSettings | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [issues, setIssues] = useState<SettingsIssue[]>([]);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<string | null>(null);

  const show = (v: AdminSettingsView) => {
    setView(v);
    setDraft(structuredClone(v.settings));
    setTexts(textsOf(v.settings));
  };

  // Loaded once per visit to the tab; a save replaces it with main's answer.
  useEffect(() => {
    void adminCall('admin:get-settings', {}).then((r) => (r.ok ? show(r.value) : setError(adminErrorText(lang, r.error))));
  }, []);

  if (!view || !draft) return <div className="admin-panel">{error ?? t('common.loading')}</div>;

  const issueFor = (path: string) => issues.find((i) => i.path === path);
  const issueText = (i: SettingsIssue) => {
    const fen = FEN_PATHS.test(i.path);
    const fmt = (n: number | undefined) => (n === undefined ? '' : fen ? formatFen(n) : String(n));
    return textOr(lang, `admin.issue.${i.rule}`, i.rule, { min: fmt(i.min), max: fmt(i.max) });
  };
  const setText = (path: string, value: string) => {
    setTexts((x) => ({ ...x, [path]: value }));
    setStatus('idle');
  };
  const numberInput = (path: string, label: ReactNode, opts: { decimal?: boolean } = {}) => {
    const issue = issueFor(path);
    return (
      <label className={`admin-field${issue ? ' has-issue' : ''}`} key={path}>
        <span className="admin-label">{label}</span>
        <input
          className="admin-input"
          data-testid={`admin-field-${path}`}
          inputMode={opts.decimal ? 'decimal' : 'numeric'}
          value={texts[path] ?? ''}
          onChange={(e) => setText(path, e.target.value)}
        />
        {issue && (
          <span className="admin-issue" data-testid={`admin-issue-${path}`}>
            {issueText(issue)}
          </span>
        )}
      </label>
    );
  };

  const save = async () => {
    const local: SettingsIssue[] = [];
    const num = (path: string, fen = false): number => {
      const raw = texts[path] ?? '';
      const v = fen ? yuanToFen(raw) : raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(v)) local.push({ path, rule: 'required' });
      return Number.isFinite(v) ? v : 0;
    };
    const next: AdminSettingsDraft = {
      ...draft,
      packages: draft.packages.map((p, i) => ({ ...p, priceFen: num(`packages.${i}.priceFen`, true) })),
      idleTimeoutSec: num('idleTimeoutSec'),
      paymentTimeoutSec: num('paymentTimeoutSec'),
      regenerationsAllowed: num('regenerationsAllowed'),
      resultRetentionDays: num('resultRetentionDays'),
      originalRetentionHours: num('originalRetentionHours'),
      dailyRefundCapFen: num('dailyRefundCapFen', true),
      thresholds: {
        minFacePx: num('thresholds.minFacePx'),
        minFaceScore: num('thresholds.minFaceScore'),
        paperWarnBelow: num('thresholds.paperWarnBelow'),
        diskMinFreeMb: num('thresholds.diskMinFreeMb'),
      },
    };
    if (local.length > 0) {
      setIssues(local);
      return;
    }
    setStatus('saving');
    const r = await adminCall('admin:save-settings', { settings: next });
    if (!r.ok) {
      setStatus('idle');
      setError(adminErrorText(lang, r.error));
      return;
    }
    setError(null);
    setIssues(r.value.issues);
    if (r.value.saved) {
      show(r.value.view);
      setStatus('saved');
    } else setStatus('idle');
  };

  return (
    <div className="admin-panel admin-settings" data-testid="admin-settings">
      <section className="admin-section">
        <h3>{t('admin.settings.packages')}</h3>
        {issueFor('packages') && <p className="admin-issue">{issueText(issueFor('packages')!)}</p>}
        {draft.packages.map((p, i) => {
          const name = view.packageNames[p.id];
          return (
            <div className="admin-row" key={p.id}>
              <span className="admin-row-name">{name ? pickText(lang, name) : p.id}</span>
              {numberInput(`packages.${i}.priceFen`, t('admin.settings.priceYuan'), { decimal: true })}
              <label className="admin-check">
                <input
                  type="checkbox"
                  data-testid={`admin-package-enabled-${p.id}`}
                  checked={p.enabled}
                  onChange={(e) => {
                    setDraft({ ...draft, packages: draft.packages.map((x) => (x.id === p.id ? { ...x, enabled: e.target.checked } : x)) });
                    setStatus('idle');
                  }}
                />
                {t('admin.settings.enabled')}
              </label>
            </div>
          );
        })}
      </section>

      <section className="admin-section">
        <h3>{t('admin.settings.styles')}</h3>
        {issueFor('styles') && <p className="admin-issue">{issueText(issueFor('styles')!)}</p>}
        <div className="admin-chips">
          {draft.styles.map((s) => {
            const name = view.styleNames[s.id];
            return (
              <label className="admin-check" key={s.id}>
                <input
                  type="checkbox"
                  data-testid={`admin-style-enabled-${s.id}`}
                  checked={s.enabled}
                  onChange={(e) => {
                    setDraft({ ...draft, styles: draft.styles.map((x) => (x.id === s.id ? { ...x, enabled: e.target.checked } : x)) });
                    setStatus('idle');
                  }}
                />
                {name ? pickText(lang, name) : s.id}
              </label>
            );
          })}
        </div>
      </section>

      <section className="admin-section">
        <h3>{t('admin.settings.general')}</h3>
        <div className="admin-grid">
          {NUMBER_FIELDS.map((f) => numberInput(f, textOr(lang, `admin.settings.${f}`, f)))}
          {numberInput('dailyRefundCapFen', t('admin.settings.dailyRefundCapYuan'), { decimal: true })}
          <label className={`admin-field${issueFor('blessing') ? ' has-issue' : ''}`}>
            <span className="admin-label">{t('admin.settings.blessing')}</span>
            <input
              className="admin-input"
              data-testid="admin-field-blessing"
              value={draft.blessing}
              maxLength={60}
              onChange={(e) => {
                setDraft({ ...draft, blessing: e.target.value });
                setStatus('idle');
              }}
            />
            {issueFor('blessing') && <span className="admin-issue">{issueText(issueFor('blessing')!)}</span>}
          </label>
        </div>
      </section>

      <section className="admin-section">
        <h3>{t('admin.settings.thresholds')}</h3>
        <div className="admin-grid">{THRESHOLD_FIELDS.map((f) => numberInput(`thresholds.${f}`, textOr(lang, `admin.settings.${f}`, f), { decimal: f === 'minFaceScore' }))}</div>
      </section>

      <section className="admin-section">
        <h3>{t('admin.settings.providers')}</h3>
        <div className="admin-grid">
          {PROVIDER_KINDS.map((k) => (
            <label className="admin-field" key={k}>
              <span className="admin-label">{textOr(lang, `admin.settings.provider.${k}`, k)}</span>
              <select
                className="admin-input"
                data-testid={`admin-provider-${k}`}
                value={draft.providers[k]}
                onChange={(e) => {
                  setDraft({ ...draft, providers: { ...draft.providers, [k]: e.target.value } });
                  setStatus('idle');
                }}
              >
                {(view.providerOptions[k] ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.demo ? `${o.id} · ${t('admin.settings.demoProvider')}` : o.id}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
        {view.restartRequired && <p className="admin-note">{t('admin.settings.restartRequired')}</p>}
      </section>

      <div className="admin-savebar">
        <Button testId="admin-settings-save" busy={status === 'saving'} onClick={() => void save()}>
          {t('admin.settings.save')}
        </Button>
        {status === 'saved' && (
          <span className="admin-ok" data-testid="admin-settings-saved">
            {t('admin.settings.saved')}
          </span>
        )}
        {issues.length > 0 && (
          <span className="admin-issue" data-testid="admin-settings-invalid">
            {t('admin.settings.invalid', { n: issues.length })}
          </span>
        )}
        {error && <span className="admin-error">{error}</span>}
      </div>

      <SecretsSection view={view} onChange={(secrets) => setView({ ...view, secrets })} />
    </div>
  );
}

function SecretsSection({ view, onChange }: { view: AdminSettingsView; onChange: (s: AdminSettingsView['secrets']) => void }) {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const save = async (name: string) => {
    const r = await adminCall('admin:set-secret', { name, value: values[name] ?? '' });
    if (!r.ok) return setError(adminErrorText(lang, r.error));
    setError(null);
    // The value leaves the screen's memory as soon as it is stored.
    setValues((v) => ({ ...v, [name]: '' }));
    onChange(view.secrets.map((s) => (s.name === name ? { name, set: r.value.set } : s)));
  };
  return (
    <section className="admin-section">
      <h3>{t('admin.settings.secrets')}</h3>
      {view.secretProtection === 'file-permissions' && <p className="admin-note">{t('admin.settings.secretFileOnly')}</p>}
      {view.secrets.map((s) => (
        <div className="admin-row" key={s.name} data-testid={`admin-secret-${s.name}`} data-set={s.set}>
          <span className="admin-row-name">{s.name}</span>
          <span className={s.set ? 'admin-ok' : 'admin-muted'}>{s.set ? t('admin.settings.secretSet') : t('admin.settings.secretNotSet')}</span>
          <input
            className="admin-input"
            type="password"
            autoComplete="off"
            placeholder={t('admin.settings.secretPlaceholder')}
            value={values[s.name] ?? ''}
            onChange={(e) => setValues((v) => ({ ...v, [s.name]: e.target.value }))}
          />
          <Button testId={`admin-secret-save-${s.name}`} variant="secondary" onClick={() => void save(s.name)}>
            {t('admin.settings.secretSave')}
          </Button>
        </div>
      ))}
      {error && <p className="admin-error">{error}</p>}
    </section>
  );
}
