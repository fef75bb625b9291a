import type { Request } from 'express';
import type { ApiMethod } from '../methods.js';
import type { AccessTokenRecord } from '../state.js';
import type { FixtureUser } from '../users.js';
import type { CloudData } from './fixtures.js';

/** One authenticated, scope-checked API call handed to a fixture handler. */
export interface ApiCall {
  req: Request;
  method: ApiMethod;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  user: FixtureUser;
  token: AccessTokenRecord;
  data: CloudData;
}

export interface ApiResponse {
  status?: number;
  body: unknown;
}

export interface ApiHandler {
  /** gRPC-style method name Google reports in ErrorInfo metadata, e.g. `compute.v1.InstancesService.Stop`. */
  rpc: string;
  handle(call: ApiCall): ApiResponse;
}

export type HandlerTable = Record<string, ApiHandler>;
