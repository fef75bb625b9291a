// The project chooser every per-project page shows (pure).
import { z } from 'zod';
import { emptyToUndefined, ids } from '../../google/ids.js';
import type { FormField, ListPageSpec } from '../spec.js';

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

/** What differs between pages that list one kind of thing in a project. */
export interface ProjectListParts extends Pick<ListPageSpec<ProjectQuery>, 'feature' | 'route' | 'columns' | 'load'> {
  title: string;
  intro: string;
  /** What the page lists, plural ("buckets"): the empty page says "No buckets in <project>." */
  noun: string;
}

/** A page listing one kind of thing in a project: the project chooser, its empty text, the project kept across pages. */
export function projectListPage(parts: ProjectListParts): ListPageSpec<ProjectQuery> {
  return {
    kind: 'list',
    feature: parts.feature,
    route: parts.route,
    input: projectQuery,
    project: true,
    title: () => parts.title,
    intro: () => parts.intro,
    form: ({ project }) => [projectField(project)],
    columns: parts.columns,
    empty: ({ project }) => emptyFor(project, parts.noun),
    keep: ({ project }) => ({ project }),
    load: parts.load,
  };
}
