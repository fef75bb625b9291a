// Workflow definitions served as `sourceContents` by the mock Workflows API. Each one exercises right and wrong
// patterns of Google's "Make authenticated requests from a workflow"; the expected findings are in the comments
// (test/mock-google/workloads.test.ts and test/workloads/ check them).

/**
 * acme-prod, us-central1, runs as the default compute account. YAML with main + a subworkflow, for, parallel.
 * Findings: list_vms default scope (→ compute.readonly); stop_one cloud-platform broader than compute;
 * post OAuth2 to Cloud Run; post_chat Cloud Run without OIDC; read_logs OIDC to a Google API.
 */
export const VM_JANITOR_YAML = `# Stops idle VMs and tells the team.
main:
  params: [args]
  steps:
    - init:
        assign:
          - project: \${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}
          - zone: us-central1-a
    - list_vms:
        call: http.get
        args:
          url: \${"https://compute.googleapis.com/compute/v1/projects/" + project + "/aggregated/instances"}
          auth:
            type: OAuth2
        result: vms
    - stop_idle:
        for:
          value: name
          in: \${args.idle}
          steps:
            - stop_one:
                call: http.post
                args:
                  url: \${"https://compute.googleapis.com/compute/v1/projects/" + project + "/zones/" + zone + "/instances/" + name + "/stop"}
                  auth:
                    type: OAuth2
                    scopes: https://www.googleapis.com/auth/cloud-platform
    - report:
        call: notify
        args:
          text: \${"Stopped " + string(len(args.idle)) + " VMs"}
notify:
  params: [text]
  steps:
    - post:
        call: http.post
        args:
          url: https://notifier-4fj2k1xq3a-uc.a.run.app/events
          auth:
            type: OAuth2
          body:
            text: \${text}
    - fan_out:
        parallel:
          branches:
            - chat:
                steps:
                  - post_chat:
                      call: http.post
                      args:
                        url: https://chat-relay-4fj2k1xq3a-uc.a.run.app/messages
                        body:
                          text: \${text}
            - audit:
                steps:
                  - read_logs:
                      call: http.request
                      args:
                        method: POST
                        url: https://logging.googleapis.com/v2/entries:list
                        auth:
                          type: OIDC
                        body:
                          resourceNames: ["projects/acme-prod"]
`;

/**
 * acme-prod, us-central1, runs as svc-04. JSON with try/retry/except and switch.
 * Findings: buckets asks devstorage.full_control besides read_only (broader than needed); on_error audience
 * mismatch; services asks logging.read, which Cloud Run does not accept. Notes: publish maps to no method in
 * the data; callback URL computed. collect and render are right.
 */
export const REPORT_BUILDER_JSON = `{
  "main": {
    "params": ["args"],
    "steps": [
      {
        "collect": {
          "call": "http.get",
          "args": {
            "url": "https://compute.googleapis.com/compute/v1/projects/acme-prod/aggregated/instances",
            "auth": { "type": "OAuth2", "scopes": ["https://www.googleapis.com/auth/compute.readonly"] }
          },
          "result": "vms"
        }
      },
      {
        "buckets": {
          "try": {
            "call": "http.get",
            "args": {
              "url": "https://storage.googleapis.com/storage/v1/b?project=acme-prod",
              "auth": {
                "type": "OAuth2",
                "scopes": "https://www.googleapis.com/auth/devstorage.read_only https://www.googleapis.com/auth/devstorage.full_control"
              }
            },
            "result": "buckets"
          },
          "retry": "\${http.default_retry}",
          "except": {
            "as": "e",
            "steps": [
              {
                "on_error": {
                  "call": "http.post",
                  "args": {
                    "url": "https://us-central1-acme-prod.cloudfunctions.net/report-error",
                    "auth": { "type": "OIDC", "audience": "https://us-central1-acme-prod.cloudfunctions.net/other-function" },
                    "body": { "error": "\${e}" }
                  }
                }
              }
            ]
          }
        }
      },
      {
        "services": {
          "call": "http.get",
          "args": {
            "url": "https://run.googleapis.com/v2/projects/acme-prod/locations/us-central1/services",
            "auth": { "type": "OAuth2", "scopes": ["https://www.googleapis.com/auth/logging.read"] }
          },
          "result": "services"
        }
      },
      {
        "render": {
          "call": "http.post",
          "args": {
            "url": "https://renderer-4fj2k1xq3a-uc.a.run.app/render",
            "auth": { "type": "OIDC", "audience": "https://renderer-4fj2k1xq3a-uc.a.run.app" },
            "body": { "vms": "\${vms.body}", "buckets": "\${buckets.body}" }
          },
          "result": "report"
        }
      },
      {
        "deliver": {
          "switch": [
            {
              "condition": "\${args.publish}",
              "steps": [
                {
                  "publish": {
                    "call": "http.post",
                    "args": {
                      "url": "https://pubsub.googleapis.com/v1/projects/acme-prod/topics/reports:publish",
                      "auth": { "type": "OAuth2" },
                      "body": { "messages": [{ "data": "\${base64.encode(text.encode(report.body))}" }] }
                    }
                  }
                }
              ]
            },
            {
              "condition": true,
              "steps": [
                {
                  "callback": {
                    "call": "http.post",
                    "args": {
                      "url": "\${args.callback_url}",
                      "auth": { "type": "OIDC" },
                      "body": "\${report.body}"
                    }
                  }
                }
              ]
            }
          ]
        }
      }
    ]
  }
}
`;

/** acme-prod, us-central1, runs as svc-07: every call right (no finding; list_accounts notes that IAM offers only cloud-platform). */
export const CLEAN_PIPELINE_YAML = `main:
  steps:
    - list_buckets:
        call: http.get
        args:
          url: https://storage.googleapis.com/storage/v1/b
          query:
            project: acme-prod
          auth:
            type: OAuth2
            scopes: https://www.googleapis.com/auth/devstorage.read_only
    - read_logs:
        call: http.post
        args:
          url: https://logging.googleapis.com/v2/entries:list
          auth:
            type: OAuth2
            scopes: [https://www.googleapis.com/auth/logging.read]
          body:
            resourceNames: ["projects/acme-prod"]
    - list_accounts:
        call: http.get
        args:
          url: https://iam.googleapis.com/v1/projects/acme-prod/serviceAccounts
          auth:
            type: OAuth2
            scopes: https://www.googleapis.com/auth/iam
    - summarize:
        call: http.post
        args:
          url: https://api-4fj2k1xq3a-uc.a.run.app/summaries
          auth:
            type: OIDC
          body:
            count: 3
`;

/** acme-prod, europe-west1, no service account set (runs as the default compute account); its one call is right. */
export const EU_SYNC_YAML = `main:
  steps:
    - list_backups:
        call: http.get
        args:
          url: https://storage.googleapis.com/storage/v1/b/acme-prod-backups/o
          auth:
            type: OAuth2
            scopes: https://www.googleapis.com/auth/devstorage.read_only
        result: backups
    - done:
        return: \${backups.body}
`;

/** acme-data, us-central1, runs as etl@acme-data; a top-level list of steps; right (cloud-platform.read-only is the narrowest for datasets.list). */
export const ETL_ORCHESTRATOR_YAML = `- list_datasets:
    call: http.get
    args:
      url: https://bigquery.googleapis.com/bigquery/v2/projects/acme-data/datasets
      auth:
        type: OAuth2
        scopes: https://www.googleapis.com/auth/cloud-platform.read-only
    result: datasets
- finish:
    return: \${datasets.body}
`;
