/**
 * Identity operations (users, groups, projects, project tags, domains, domain configs, roles,
 * implied roles, role grants, system roles, OS-INHERIT, role assignments) that no conformance
 * test exercises, with the reason. Every one of the 98 is covered by suites/conformance/, so the
 * record is empty; an entry added here must name an operation id of lib/coverage/operations.ts.
 */
export const identityGaps: Record<string /* operation id */, string /* reason */> = {};
