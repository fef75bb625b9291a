// Where to send the user after sign-in or consent: a local path only (see http/redirect.ts).
export { safeLocalPath as safeReturnTo } from '../http/redirect.js';
