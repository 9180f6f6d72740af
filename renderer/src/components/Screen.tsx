// Every kiosk screen: a root with data-testid="screen-<name>", the top bar and a title.
import type { ReactNode } from 'react';
import type { Phase } from '../app/phase';
import { TopBar } from './TopBar';

export function Screen({ name, title, children, footer }: { name: Phase; title?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <section className={`screen screen-${name}`} data-testid={`screen-${name}`}>
      <TopBar />
      {title && <h1 className="screen-title">{title}</h1>}
      <div className="screen-body">{children}</div>
      {footer && <footer className="screen-footer">{footer}</footer>}
    </section>
  );
}
