// Reading Scopewise's pages in tests: plain text, tables, links (pure).

/** Decodes the few HTML entities Eta escapes, for matching text. */
export function text(html: string): string {
  return html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&#x2F;/gi, '/')
    .replace(/&#x3D;/gi, '=')
    .replace(/&#x3F;/gi, '?')
    .replace(/&amp;/g, '&');
}

/** The body rows of the first table in a page (or of the part of it given), each cell as plain text. */
export function rows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => text(c[1]!.replace(/<[^>]+>/g, '')).trim()),
  );
}

/** The href of the "Next page" link, decoded, if the page has one. */
export function nextPage(html: string): string | undefined {
  const m = /<a class="button" href="([^"]+)">Next page<\/a>/.exec(html);
  return m ? text(m[1]!) : undefined;
}

/** The hrefs of the links in a page (decoded). */
export function links(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => text(m[1]!));
}

/** The href of the "Grant access at Google" link of a consent-needed page, decoded. */
export function grantLink(html: string): string | undefined {
  const m = /<a class="button primary" href="([^"]+)">Grant access at Google<\/a>/.exec(html);
  return m?.[1] ? text(m[1]) : undefined;
}

/** One section of the workload review page (by its data-section id). */
export function section(html: string, id: string): string {
  const m = new RegExp(`<section class="review"[^>]*data-section="${id}">([\\s\\S]*?)</section>`).exec(html);
  return m?.[1] ?? '';
}
