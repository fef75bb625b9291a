// The VM power form (stop or start a VM), as the confirmation page at /vms/power submits it.
import type { TestBrowser } from './browser.js';
import { hiddenInput } from './browser.js';
import type { Stack } from './stack.js';

/** Submit the power form for a VM of acme-prod in us-central1-a, with the CSRF token of the confirmation page. */
export function submitVmPower(
  stack: Stack,
  b: TestBrowser,
  confirmationHtml: string,
  action: 'stop' | 'start',
  instance = 'web-1',
): Promise<Response> {
  return b.postForm(`${stack.baseUrl}/vms/power`, {
    project: 'acme-prod',
    zone: 'us-central1-a',
    instance,
    action,
    _csrf: hiddenInput(confirmationHtml, '_csrf')!,
  });
}
