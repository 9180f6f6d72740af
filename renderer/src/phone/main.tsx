// Entry of the phone pages (phone.html): the path decides which page.
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { usePrefs, useT } from '../app/prefs';
import { phoneApi } from './api';
import { DownloadPage } from './DownloadPage';
import { PayPage } from './PayPage';
import { PhoneShell } from './PhoneShell';
import { phoneRoute } from './route';
import { UploadPage } from './UploadPage';
import '../styles/base.css';
import '../styles/phone.css';

const api = phoneApi();

function PhoneApp() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const route = phoneRoute(location.pathname);
  switch (route.page) {
    case 'pay':
      return <PayPage api={api} token={route.token} />;
    case 'download':
      return <DownloadPage api={api} token={route.token} />;
    case 'upload':
      return <UploadPage api={api} token={route.token} />;
    default:
      return (
        <PhoneShell page="not-found" title={t('phone.notFound')}>
          {null}
        </PhoneShell>
      );
  }
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <PhoneApp />
    </StrictMode>,
  );
}
