// Small helpers shared by feature routes: a gated page handler and input validation with zod.
import type { Request, Response, RequestHandler } from 'express';
import { z } from 'zod';
import { HttpError } from '../web/errors.js';
import { ensureReady, featureAccess, FeatureAccessError, renderConsentNeeded, type FeatureAccess } from './access.js';
import { featureById, type FeatureRuntime } from './runtime.js';

export type FeatureHandler = (req: Request, res: Response, access: FeatureAccess) => Promise<void>;

/**
 * A page of a feature: the user must be signed in, the feature ready (else its consent page shows),
 * and a Google refusal for scope turns into the same consent page instead of an error.
 */
export function featurePage(rt: FeatureRuntime, featureId: string, handler: FeatureHandler, opts: { returnTo?: (req: Request) => string } = {}): RequestHandler[] {
  const feature = featureById(rt, featureId);
  return [
    rt.requireUser,
    async (req, res, next) => {
      try {
        const access = await ensureReady(rt, req, res, feature, opts.returnTo?.(req));
        if (!access) return;
        await handler(req, res, access);
      } catch (err) {
        if (err instanceof FeatureAccessError && !res.headersSent) {
          const access = await featureAccess(rt, req, err.feature);
          renderConsentNeeded(rt, req, res, access, err.reason, 403, opts.returnTo?.(req));
          return;
        }
        next(err);
      }
    },
  ];
}

/** Parses input (query or body) or answers 400 naming each wrong field. Repeated parameters are arrays and fail. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || 'input'))];
  const detail = r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  throw new HttpError(400, 'INVALID_INPUT', 'Check what you entered', `Some values are not valid (${fields.join(', ')}). ${detail}.`);
}

// Google's identifier rules, as zod schemas for query strings. Each field is a single string.
const str = (max: number) => z.string({ error: 'expected a single value' }).max(max, `at most ${max} characters`);
export const projectId = str(30).regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'expected a Google Cloud project id such as my-project-123');
export const zone = str(40).regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'expected a zone such as us-central1-a');
export const region = str(40).regex(/^[a-z]+-[a-z]+\d+$/, 'expected a region such as us-central1');
export const instanceName = str(63).regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected an instance name');
export const bucketName = str(222).regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'expected a bucket name');
export const pageToken = str(2048).regex(/^[A-Za-z0-9_\-=.~+/:]*$/, 'expected a page token').optional();
export const serviceAccountEmail = str(254).regex(/^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.(iam\.)?gserviceaccount\.com$|^[a-z0-9-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/, 'expected a service account e-mail');
export const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
