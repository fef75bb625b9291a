// Tells Scopewise the browser's time zone (a `tz` cookie, not secret) so that pages write times in the reader's
// zone. A page that shows times marks itself with data-times-tz (the zone it was written in); when that zone
// shows a different clock than the browser's, the page is loaded again once, now in the reader's zone.
(() => {
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  if (!zone) return;
  const current = document.cookie.split('; ').find((c) => c.startsWith('tz='));
  if (current && decodeURIComponent(current.slice(3)) === zone) return;
  const secure = location.protocol === 'https:' ? '; secure' : '';
  document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax${secure}`;
  const marked = document.querySelector('[data-times-tz]');
  if (!marked || !document.cookie.includes('tz=')) return;
  const clock = (timeZone) => {
    try {
      return new Date(0).toLocaleString('en-US', { timeZone }) + new Date().toLocaleString('en-US', { timeZone });
    } catch {
      return '';
    }
  };
  // Once per tab and zone: a browser that refuses the cookie is never reloaded in a loop.
  const key = `scopewise-tz-reloaded:${zone}`;
  if (clock(marked.getAttribute('data-times-tz')) !== clock(zone) && !sessionStorage.getItem(key)) {
    sessionStorage.setItem(key, '1');
    location.reload();
  }
})();
