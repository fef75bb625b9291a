/** The scopes module: catalogue of features → Google API methods → OAuth scopes, the check, readiness. */
export {
  type ApiId,
  type MethodId,
  type Discovery,
  type DiscoveryMethod,
  type DiscoveryScope,
  type DiscoverySource,
  DiscoveryError,
  DiscoveryLookupError,
  discoverySchema,
  defaultDiscoveryPath,
  parseDiscovery,
  loadDiscovery,
  loadDiscoveryFile,
  methodApi,
  findMethod,
  methodScopes,
  scopeAuthorizes,
  scopeDescription,
  apiBaseUrl,
} from './discovery.js';
export {
  type Capability,
  type AccessLevel,
  type ScopeRank,
  type Breadth,
  CLOUD_WIDE,
  ACCESS_CAPABILITIES,
  SCOPE_RANKS,
  scopeRank,
  isCloudWide,
  isReadOnlyScope,
  compareBreadth,
  minimalScopes,
  narrowestScopeFor,
} from './narrowness.js';
export { type Feature, type FeatureId, SIGN_IN_SCOPES, FEATURE_IDS, CATALOGUE, getFeature } from './catalogue.js';
export { type FindingCode, type Finding, CatalogueError, checkCatalogue, assertCatalogue } from './check.js';
export {
  type FeatureState,
  type MethodReadiness,
  type FeatureReadiness,
  type GrantedScopeSummary,
  type AccountSummary,
  featureReadiness,
  featureState,
  scopesToRequest,
  accountSummary,
} from './readiness.js';
export {
  AUTH_PREFIX,
  USERINFO_EMAIL,
  USERINFO_PROFILE,
  IDENTITY_SCOPES,
  normaliseScope,
  normaliseScopes,
  isIdentityScope,
  shortScope,
} from './scope-names.js';
export { ACCESS_NOTE_FLAG, BROAD_ONLY_FLAG, type CatalogueRow, catalogueRows, formatCatalogueTable } from './format.js';
export {
  type SourceName,
  type RestReference,
  type RestEntry,
  type SourceNote,
  type LiveEvidence,
  type ScopeEvidence,
  type EvidencePaths,
  type ScopeVerdict,
  type MethodEvidence,
  type SourceFinding,
  type SourceFindingCode,
  type EvidenceCarrier,
  EvidenceError,
  liveEvidenceSchema,
  liveFileSchema,
  defaultEvidencePaths,
  loadScopeEvidence,
  evidenceMethodIds,
  methodEvidence,
  checkSources,
  mergeEvidence,
} from './evidence.js';
export { type FeatureExplanation, type MethodSourcesView, type ConsideredScope, explainFeature, explainCatalogue, formatExplanations } from './explain.js';
export { splitFor } from './check.js';
export { RANK_BASIS } from './narrowness.js';
