// The project chooser every per-project page shows (pure).
import { z } from 'zod';
import { emptyToUndefined, ids } from '../../google/ids.js';
import type { FormField } from '../spec.js';

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
