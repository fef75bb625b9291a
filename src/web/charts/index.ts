// The pictures: pure builders that return escaped, accessible SVG (role="img", a title and a full text
// equivalent), coloured only by classes of public/viz.css (no style attribute: the CSP holds, and dark mode
// follows the design system's custom properties). Every word they use lives in text.ts.
export { chartId, escapeText, type Markup } from './markup.js';
export {
  BREADTHS,
  chartText,
  LOG_BANDS,
  SEVERITIES,
  type Breadth,
  type ChartText,
  type LogBand,
  type Severity,
} from './text.js';
export { severityBar, severityChips, severityEntries, segmentWidths, type SeverityCounts } from './severity.js';
export { bandOf, binLogVolume, logHistogram, type LogVolume, type VolumeBin } from './histogram.js';
export {
  grantTimeChart,
  keyAgeChart,
  KEY_AGE_LIMIT_DAYS,
  labelledBars,
  type GrantTime,
  type KeyAge,
} from './bars.js';
export { orderColumns, scopeMatrix, type MatrixColumn, type MatrixInput } from './matrix.js';
