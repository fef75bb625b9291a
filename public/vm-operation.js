// Follows a VM operation on its page: polls the page's JSON endpoint (data-op-poll) with backoff, writes what
// Google reports into the page, and stops once the operation is done, when the page is left, or after 15 minutes.
// Without JavaScript the page reloads itself instead (a meta refresh inside <noscript>).
(() => {
  const root = document.querySelector('[data-op-poll]');
  if (!root || root.getAttribute('data-op-done') === 'true') return;
  const url = root.getAttribute('data-op-poll');
  const status = root.querySelector('[data-op-status]');
  const steps = [...root.querySelectorAll('[data-op-step]')];
  const progress = root.querySelector('[data-op-progress]');
  const result = root.querySelector('[data-op-result]');
  const resultText = root.querySelector('[data-op-result-text]');
  const googleStatus = root.querySelector('[data-op-google-status]');
  const refreshNote = root.querySelector('[data-op-refresh]');
  const GIVE_UP_MS = 15 * 60_000;
  const startedAt = Date.now();
  let delay = 1000;
  let timer;
  let controller;
  let stopped = false;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
  };

  const show = (s) => {
    if (status) {
      status.textContent = s.statusText;
      status.classList.toggle('op-status--failed', Boolean(s.failed));
    }
    if (googleStatus) googleStatus.textContent = s.status;
    steps.forEach((li, i) => {
      const state = s.steps[i]?.state ?? 'todo';
      li.className = `op-step op-step--${state}`;
      if (state === 'current') li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    if (!s.done) return;
    if (progress) {
      progress.max = 100;
      progress.value = 100;
      progress.textContent = '100%';
      progress.setAttribute('aria-label', 'Operation done');
    }
    if (refreshNote) refreshNote.remove();
    if (result && s.resultText) {
      resultText.textContent = s.resultText;
      if (s.vmStatus) {
        const badge = document.createElement('span');
        badge.className = `badge badge--${s.vmTone}`;
        badge.setAttribute('data-op-vm-status', '');
        badge.textContent = s.vmStatus;
        result.prepend(badge, ' ');
      }
      result.hidden = false;
    }
    root.setAttribute('data-op-done', 'true');
  };

  const schedule = () => {
    if (stopped) return;
    if (Date.now() - startedAt > GIVE_UP_MS) {
      if (refreshNote) refreshNote.textContent = 'Still not done after 15 minutes. Reload the page to check again.';
      return;
    }
    timer = setTimeout(poll, delay);
    delay = Math.min(10_000, Math.round(delay * 1.5));
  };

  async function poll() {
    if (stopped) return;
    if (document.hidden) return; // resumed by visibilitychange
    controller = new AbortController();
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller.signal,
      });
      // Signed out, or access to change VMs is gone: the page itself says what to do.
      if (res.status === 401 || res.status === 403) {
        stop();
        location.reload();
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const s = await res.json();
      show(s);
      if (s.done) return stop();
      if (refreshNote) refreshNote.textContent = 'Checking with Google every few seconds until the operation is done.';
    } catch (err) {
      if (stopped || err?.name === 'AbortError') return;
      if (refreshNote) refreshNote.textContent = 'Google could not be reached just now; trying again.';
    }
    schedule();
  }

  addEventListener('pagehide', stop);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !stopped) {
      clearTimeout(timer);
      poll();
    }
  });
  schedule();
})();
