// The project chooser every per-project page shows (pure).
import { z } from 'zod';
import { emptyToUndefined, ids } from '../../google/ids.js';
import { getFeature } from '../../scopes/catalogue.js';
import type { GoogleCallContext } from '../../google/index.js';
import type { Cell, FormField, ListPageSpec } from '../spec.js';

export const projectQuery = z.object({
  project: z.preprocess(emptyToUndefined, ids.project.optional()),
  pageToken: ids.pageToken,
});

export function projectField(project: string | undefined): FormField {
  return {
    name: 'project',
    label: 'Project ID',
    placeholder: 'my-project-123',
    ...(project ? { value: project } : {}),
  };
}

/** "No X in <project>." once a project is chosen, else the prompt to choose one. */
export function emptyFor(project: string | undefined, what: string): string {
  return project ? `No ${what} in ${project}.` : 'Choose a project.';
}

export type ProjectQuery = z.infer<typeof projectQuery>;

/** One page of a Google list call for one project. */
export interface ProjectItems<T> {
  items: readonly T[];
  nextPageToken?: string | undefined;
  notices?: string[];
}

/** A table column: its header and how an item fills its cell (kept together so they cannot drift apart). */
export interface Column<T> {
  header: string;
  cell(item: T, project: string): Cell;
}

/** An item's row, cell by cell. */
export function rowOf<T>(columns: readonly Column<T>[], item: T, project: string): Cell[] {
  return columns.map((c) => c.cell(item, project));
}

/** What differs between pages that list one kind of thing in a project (the route and title are the catalogue's). */
export interface ProjectListParts<T> extends Pick<ListPageSpec<ProjectQuery>, 'feature'> {
  intro: string;
  /** What the page lists, plural ("buckets"): the empty page says "No buckets in <project>." */
  noun: string;
  columns: readonly Column<T>[];
  /** The Google list call for one page of the project's items. */
  list(google: GoogleCallContext, project: string, pageToken: string | undefined): Promise<ProjectItems<T>>;
}

/** A page listing one kind of thing in a project: the project chooser, its empty text, the project kept across pages. */
export function projectListPage<T>(parts: ProjectListParts<T>): ListPageSpec<ProjectQuery> {
  // The catalogue entry is where a feature's path and title live (the nav and the consent page read them too).
  const feature = getFeature(parts.feature);
  if (!feature) throw new Error(`projectListPage: ${parts.feature} is not in the catalogue`);
  return {
    kind: 'list',
    feature: parts.feature,
    route: feature.path,
    input: projectQuery,
    project: true,
    title: () => feature.title,
    intro: () => parts.intro,
    form: ({ project }) => [projectField(project)],
    columns: parts.columns.map((c) => c.header),
    empty: ({ project }) => emptyFor(project, parts.noun),
    keep: ({ project }) => ({ project }),
    async load(google, { q, project }) {
      // The engine loads a project page only once a project is chosen; without one there is nothing to list.
      if (!project) return { rows: [] };
      const page = await parts.list(google, project, q.pageToken);
      return {
        rows: page.items.map((item) => rowOf(parts.columns, item, project)),
        nextPageToken: page.nextPageToken,
        ...(page.notices ? { notices: page.notices } : {}),
      };
    },
  };
}
