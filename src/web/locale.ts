// The reader's locale for a request: the language (English until issue 25's catalogues land) and the time zone the
// browser reported in the `tz` cookie (set by public/tz.js; validated here, UTC when absent or unknown). The
// one place a page learns how to write times and numbers for its reader.
import type { Request } from 'express';
import { DEFAULT_LOCALE, validTimeZone, type LocaleContext } from './time.js';

export const TIME_ZONE_COOKIE = 'tz';

/** One cookie's value from the Cookie header (no parsing library for one short, non-secret value). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function localeOf(req: Request): LocaleContext {
  const timeZone = validTimeZone(cookieValue(req.get('cookie'), TIME_ZONE_COOKIE)) ?? DEFAULT_LOCALE.timeZone;
  return { locale: DEFAULT_LOCALE.locale, timeZone };
}
