/** Who authenticates, and at what scope (the fields an OpenStack clouds.yaml "auth" section carries). */
export interface PasswordCredentials {
  username: string;
  password: string;
  userDomainName?: string;
  userDomainId?: string;
  userId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  domainName?: string;
  domainId?: string;
  system?: boolean;
}

/** The auth.identity + scope body of POST /v3/auth/tokens for a password credential. */
export function passwordAuthBody(c: PasswordCredentials, unscoped = false): Record<string, unknown> {
  const user: Record<string, unknown> = { password: c.password };
  if (c.userId) user.id = c.userId;
  else {
    user.name = c.username;
    user.domain = c.userDomainId ? { id: c.userDomainId } : { name: c.userDomainName ?? 'Default' };
  }
  const auth: Record<string, unknown> = { identity: { methods: ['password'], password: { user } } };
  if (!unscoped) {
    if (c.system) auth.scope = { system: { all: true } };
    else if (c.projectId) auth.scope = { project: { id: c.projectId } };
    else if (c.projectName) {
      auth.scope = { project: { name: c.projectName, domain: c.projectDomainId ? { id: c.projectDomainId } : { name: c.projectDomainName ?? 'Default' } } };
    } else if (c.domainId) auth.scope = { domain: { id: c.domainId } };
    else if (c.domainName) auth.scope = { domain: { name: c.domainName } };
  }
  return { auth };
}
