// The pictures of /account (pure): the features × scopes matrix, each cell shaded by the scope's breadth and
// solid where this session holds the scope; and each time-limited grant's time left. The account page only
// places them (views/partials/account-pictures.eta).
import type { Feature } from '../scopes/index.js';
import { isCloudWide, scopeRank, shortScope } from '../scopes/index.js';
import {
  chartId,
  chartText,
  grantTimeChart,
  orderColumns,
  scopeMatrix,
  type Breadth,
  type Markup,
} from '../web/charts/index.js';
import type { LocaleContext } from '../web/time.js';

/** Read-only, read-write (anything that can change something) or cloud-wide (every Google Cloud service). */
export function breadthOf(scope: string): Breadth {
  if (isCloudWide(scope)) return 'cloud-wide';
  // A scope without a rank (none today) counts as able to change things: never drawn narrower than it may be.
  return scopeRank(scope)?.access === 'read-only' ? 'read-only' : 'read-write';
}

export interface AccountPictures {
  matrix: Markup;
  grants?: Markup | undefined;
  /** Said instead of the grant's bar when the grant has no end. */
  grantNote?: string | undefined;
}

export function accountPictures(input: {
  catalogue: readonly Feature[];
  granted: readonly string[];
  grantEndsAt: number | undefined;
  now: number;
  ctx: LocaleContext;
}): AccountPictures {
  const text = chartText(input.ctx.locale);
  const asked = [...new Set(input.catalogue.flatMap((f) => f.scopes))];
  const columns = orderColumns(
    asked.map((uri) => ({ uri, label: shortScope(uri), breadth: breadthOf(uri), held: input.granted.includes(uri) })),
  );
  const matrix = scopeMatrix(
    {
      rows: input.catalogue.map((f) => ({ label: f.title })),
      columns,
      asks: input.catalogue.map((f) => columns.map((c) => f.scopes.includes(c.uri))),
    },
    { id: chartId('account-scopes'), text },
  );
  const grants =
    input.grantEndsAt === undefined
      ? undefined
      : grantTimeChart([{ label: 'Your Google access', endsAt: input.grantEndsAt }], {
          id: chartId('account-grants'),
          text,
          ctx: input.ctx,
          now: input.now,
        });
  return { matrix, ...(grants ? { grants } : { grantNote: text.grantNone }) };
}
