// Server-rendered views (eta, escaping by default, compiled once and cached). Every page gets the signed-in
// user, a CSRF token for its forms, the navigation and whether this is the demo; the rest is typed per view
// (views.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import type { ViewData, ViewName } from './views.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// The views folder is at the repository root: two levels up from src/web, three from a compiled tree's
// <out>/src/web (dist/ for development, build/ in production).
const besideSource = path.resolve(here, '../../views');
export const VIEWS_DIR = fs.existsSync(besideSource) ? besideSource : path.resolve(here, '../../../views');
export const PUBLIC_DIR = path.resolve(VIEWS_DIR, '../public');

export interface PageContext {
  demo: boolean;
  csrfTokenFor(req: Request): string;
  nav: ReadonlyArray<{ href: string; label: string }>;
}

export type Render = <V extends ViewName>(
  req: Request,
  res: Response,
  view: V,
  data: ViewData[V] & { title: string },
  status?: number,
) => void;

export function createRenderer(ctx: PageContext): Render {
  const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false });
  // eta resolves a template's path (and checks it stays inside the views folder) on every render and include;
  // the names are our own fixed strings, never input, so each (name, including file) pair is resolved once.
  const resolvePath = eta.resolvePath!;
  const resolved = new Map<string, string>();
  eta.resolvePath = function (template, options) {
    const key = `${options?.filepath ?? ''}\u0000${template}`;
    let file = resolved.get(key);
    if (file === undefined) {
      file = resolvePath.call(this, template, options);
      resolved.set(key, file);
    }
    return file;
  };
  return (req, res, view, data, status = 200) => {
    const user = req.session?.user;
    const html = eta.render(`./${view}`, {
      ...data,
      user,
      demo: ctx.demo,
      nav: user ? ctx.nav : [],
      csrfToken: user && req.session ? ctx.csrfTokenFor(req) : undefined,
    });
    res.status(status).type('html').send(html);
  };
}
