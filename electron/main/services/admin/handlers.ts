// The admin calls of the contract, bound to the admin service. Every call but admin:unlock checks
// the session token first; a stale token gets ADMIN_SESSION_EXPIRED and the screen asks for the PIN.
import type { CallInput, CallName, CallOutput } from '../../../shared/contract';
import type { HealthService } from '../health';
import type { AdminAuth } from './auth';
import type { AdminService } from './service';

/** The alert robots' calls are bound by the fleet module (alerts/robotSettings.ts), which owns the sender. */
type AdminCall = Exclude<Extract<CallName, `admin:${string}` | `health:${string}`>, 'admin:get-alert-robots' | 'admin:save-alert-robot' | 'admin:test-alert-robot'>;
export type AdminHandlers = { [N in AdminCall]: (input: CallInput<N>) => Promise<CallOutput<N>> };

export function createAdminHandlers(ctx: { auth: AdminAuth; admin: AdminService; health: HealthService }): AdminHandlers {
  const { auth, admin, health } = ctx;
  const guard = (token: string) => auth.check(token);
  return {
    'admin:unlock': ({ pin }) => auth.unlock(pin),
    'admin:lock': async ({ token }) => {
      auth.lock(token);
      return { locked: true as const };
    },
    'admin:get-health': async ({ token, refresh }) => {
      guard(token);
      return health.report({ refresh });
    },
    'admin:get-settings': async ({ token }) => {
      guard(token);
      return admin.getSettings();
    },
    'admin:save-settings': async ({ token, settings }) => {
      guard(token);
      return admin.saveSettings(settings);
    },
    'admin:set-secret': async ({ token, name, value }) => {
      guard(token);
      return admin.setSecret(name, value);
    },
    'admin:list-orders': async ({ token, all, limit }) => {
      guard(token);
      return admin.listOrders({ all, limit });
    },
    'admin:sales-report': async ({ token }) => {
      guard(token);
      return admin.salesReport();
    },
    'admin:export-csv': async ({ token, days }) => {
      guard(token);
      return admin.exportCsv(days);
    },
    'admin:reprint': async ({ token, orderId }) => {
      guard(token);
      return admin.reprint(orderId);
    },
    'admin:refund': async ({ token, orderId, reason }) => {
      guard(token);
      return admin.refund(orderId, reason);
    },
    'admin:resolve-dispute': async ({ token, orderId, note }) => {
      guard(token);
      return admin.resolveDispute(orderId, note);
    },
    'admin:test-print': async ({ token }) => {
      guard(token);
      return admin.testPrint();
    },
    'admin:reset-paper': async ({ token, capacity }) => {
      guard(token);
      const s = admin.resetPaper(capacity);
      return { capacity: s.capacity, remaining: s.remaining, low: s.low, printedTotal: s.printedTotal };
    },
    'admin:export-logs': async ({ token }) => {
      guard(token);
      return admin.exportLogs();
    },
    'admin:change-pin': async ({ token, oldPin, newPin }) => {
      guard(token);
      await auth.changePin(oldPin, newPin);
      return { changed: true as const };
    },
    'admin:exit-kiosk': async ({ token }) => {
      guard(token);
      return admin.exitKiosk();
    },
    'health:report-camera': async ({ ok, detail }) => {
      health.reportCamera(ok, detail);
      return { recorded: true as const };
    },
  };
}
