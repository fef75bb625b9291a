// Home, /me and nothing else: the pages every session sees.
import { Router, type Request } from 'express';
import type { Render } from './render.js';
import type { FeatureCard } from './views.js';

export interface CoreRouteDeps {
  render: Render;
  /** The scopes this session really holds (none once the grant was lost or ended). */
  grantedScopes(req: Request): Promise<readonly string[]>;
  cards(granted: readonly string[]): FeatureCard[];
  describeScope(uri: string): string | undefined;
}

export function coreRoutes(deps: CoreRouteDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const user = req.session.user;
    if (!user) {
      const notice =
        req.query.disconnected === '1' ? 'Disconnected: Google access was revoked and you are signed out.' : undefined;
      return deps.render(req, res, 'home', { title: 'Sign in', notice });
    }
    const granted = await deps.grantedScopes(req);
    const scopes = granted.map((uri) => ({ uri, short: uri, description: deps.describeScope(uri) ?? '' }));
    deps.render(req, res, 'home', { title: 'Home', scopes, features: deps.cards(granted) });
  });

  router.get('/me', async (req, res) => {
    const user = req.session.user;
    if (!user) {
      res.status(401).json({ error: 'NOT_SIGNED_IN', message: 'No signed-in session.' });
      return;
    }
    res.json({
      sub: user.sub,
      email: user.email,
      name: user.name,
      hd: user.hd ?? null,
      scopes: await deps.grantedScopes(req),
    });
  });

  return router;
}
