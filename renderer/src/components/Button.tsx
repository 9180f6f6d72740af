// The touch button: ≥ 64 px, shows a spinner and refuses taps while its call is in flight.
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  testId: string;
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'ghost';
  children: ReactNode;
}

export function Button({ testId, busy = false, variant = 'primary', disabled, className, children, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      data-testid={testId}
      className={`btn btn-${variant}${busy ? ' is-busy' : ''}${className ? ` ${className}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy}
      {...rest}
    >
      {busy && <span className="spinner" aria-hidden />}
      <span className="btn-label">{children}</span>
    </button>
  );
}
