// The fixture accounts of docs/contracts.md (password-less account chooser).
export interface FixtureUser {
  email: string;
  sub: string;
  name: string;
  givenName: string;
  familyName: string;
  /** Workspace domain; absent for consumer accounts. */
  hd?: string;
  emailVerified: boolean;
}

export const FIXTURE_USERS: readonly FixtureUser[] = [
  {
    email: 'alice@example.com',
    sub: '100000000000000000001',
    name: 'Alice Admin',
    givenName: 'Alice',
    familyName: 'Admin',
    hd: 'example.com',
    emailVerified: true,
  },
  {
    email: 'bob@example.com',
    sub: '100000000000000000002',
    name: 'Bob Admin',
    givenName: 'Bob',
    familyName: 'Admin',
    hd: 'example.com',
    emailVerified: true,
  },
  {
    email: 'carol@gmail.com',
    sub: '100000000000000000003',
    name: 'Carol Consumer',
    givenName: 'Carol',
    familyName: 'Consumer',
    emailVerified: true,
  },
  {
    email: 'dave@other.example',
    sub: '100000000000000000004',
    name: 'Dave Outsider',
    givenName: 'Dave',
    familyName: 'Outsider',
    hd: 'other.example',
    emailVerified: true,
  },
  // A consumer account whose address Google has not verified (email_verified false): an allow-list by e-mail must refuse it.
  {
    email: 'erin@unverified.example',
    sub: '100000000000000000005',
    name: 'Erin Unverified',
    givenName: 'Erin',
    familyName: 'Unverified',
    emailVerified: false,
  },
];

export function findUserByEmail(email: string | undefined | null): FixtureUser | undefined {
  if (!email) return undefined;
  const wanted = email.trim().toLowerCase();
  return FIXTURE_USERS.find((u) => u.email === wanted);
}

export function findUserBySub(sub: string): FixtureUser | undefined {
  return FIXTURE_USERS.find((u) => u.sub === sub);
}
