// google-auth-library reads where to look from process.env (GCE_METADATA_HOST, GOOGLE_APPLICATION_CREDENTIALS,
// CLOUDSDK_CONFIG), and gcp-metadata remembers "is there a metadata server" for the whole process. So a test
// process points ADC at exactly one place: `node --test` runs each test file in its own process, and each
// file that needs ADC calls one of these once, in `before()`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let pointedAt: string | undefined;

function once(where: string): void {
  if (pointedAt !== undefined && pointedAt !== where) {
    throw new Error(`this test process already points ADC at ${pointedAt}; use one test file per metadata server`);
  }
  pointedAt = where;
}

/** No key file, no gcloud file: ADC falls through to the metadata server at `mockUrl` (the mock Google). */
export function pointAdcAtMock(mockUrl: string): void {
  const host = new URL(mockUrl).host;
  once(host);
  process.env['GCE_METADATA_HOST'] = host;
  delete process.env['GCE_METADATA_IP']; // gcp-metadata reads it first
  process.env['CLOUDSDK_CONFIG'] = mkdtempSync(join(tmpdir(), 'scopewise-gcloud-empty-'));
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  delete process.env['METADATA_SERVER_DETECTION'];
  // In adc mode the library looks for a project id with the `gcloud` CLI (installed here; ~2 s a run).
  process.env['GOOGLE_CLOUD_PROJECT'] = 'acme-prod';
}

/** No metadata server at all (a laptop): only files can be found. */
export function pointAdcAtNothing(): string {
  once('nothing');
  process.env['GCE_METADATA_HOST'] = '127.0.0.1:9';
  delete process.env['GCE_METADATA_IP'];
  process.env['METADATA_SERVER_DETECTION'] = 'none';
  // The library would otherwise ask `gcloud` and the metadata server for a project id.
  process.env['GOOGLE_CLOUD_PROJECT'] = 'scopewise-test';
  const gcloud = mkdtempSync(join(tmpdir(), 'scopewise-gcloud-'));
  process.env['CLOUDSDK_CONFIG'] = gcloud;
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  return gcloud;
}
