// Server-rendered views (eta, escaping by default). Every page gets the signed-in user, a CSRF token
// for its forms, and whether this is the demo.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Request, Response } from 'express';

const here = path.dirname(fileURLToPath(import.meta.url));
// Works from src/web (tsx) and dist/src/web (compiled): the views folder is at the repository root.
export const VIEWS_DIR = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../views' : '../../views');
export const PUBLIC_DIR = path.resolve(VIEWS_DIR, '../public');

export interface PageContext {
  demo: boolean;
  csrfTokenFor(req: Request): string;
  nav: Array<{ href: string; label: string }>;
}

export function createRenderer(ctx: PageContext) {
  const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false });
  return function render(req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): void {
    const user = req.session?.user;
    const html = eta.render(`./${view}`, {
      title: 'Scopewise',
      ...data,
      user,
      demo: ctx.demo,
      nav: user ? ctx.nav : [],
      csrfToken: user && req.session ? ctx.csrfTokenFor(req) : undefined,
    });
    res.status(status).type('html').send(html);
  };
}

export type Render = ReturnType<typeof createRenderer>;
