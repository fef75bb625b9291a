// Attack inputs shared by unit and integration tests.
/**
 * The dot-segment family: values that look local in their raw and decoded forms, but that URL normalisation
 * turns into a protocol-relative `//evil.example` — the value that would really reach the Location header.
 */
export const DOT_SEGMENT_ATTACKS = [
  '/.//evil.example',
  '/.//evil.example/path?q=1#h',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/..//evil.example',
  '/.%2e//evil.example',
  '/%2e%2e//evil.example',
  '/a/..//evil.example',
  '/a/%2e%2e//evil.example',
  '/a/b/../..//evil.example',
  '/x/.././/evil.example',
  '/%252e//evil.example',
];
