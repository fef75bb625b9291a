// APIs turned off in a project: Google's front end answers before any IAM check, with this exact shape (403
// PERMISSION_DENIED, ErrorInfo reason SERVICE_DISABLED, a LocalizedMessage and a Help link to enable it).
import { ApiError, errorInfo } from './errors.js';
import type { CloudData, Project } from './fixtures.js';

export function serviceDisabled(project: Project, service: string, title: string): ApiError {
  const activationUrl = `https://console.developers.google.com/apis/api/${service}/overview?project=${project.projectNumber}`;
  const message = `${title} has not been used in project ${project.projectNumber} before or it is disabled. Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  return new ApiError(403, {
    error: {
      code: 403,
      message,
      status: 'PERMISSION_DENIED',
      details: [
        errorInfo('SERVICE_DISABLED', 'googleapis.com', {
          service,
          consumer: `projects/${project.projectNumber}`,
          containerInfo: project.projectNumber,
          serviceTitle: title,
          activationUrl,
        }),
        { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [{ description: 'Google developers console API activation', url: activationUrl }],
        },
      ],
    },
  });
}

/** Throws SERVICE_DISABLED when `service` is off in the project. */
export function requireServiceEnabled(data: CloudData, project: Project, service: string): void {
  const off = data.disabledServices.find((d) => d.project === project.projectId && d.service === service);
  if (off) throw serviceDisabled(project, off.service, off.title);
}
