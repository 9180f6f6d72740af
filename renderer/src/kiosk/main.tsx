// Entry of the touchscreen kiosk (index.html).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../app/App';
import { lockDown } from '../platform/lockdown';
import '../styles/base.css';
import '../styles/kiosk.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
// The kiosk page is the only page: no new windows, no navigation away, no zoom, no context menu.
lockDown();
