/** Keystone v3 entities as the api-ref documents them (only what the harness reads). */
export interface Links { self: string; previous?: string | null; next?: string | null }
export interface Domain { id: string; name: string; description?: string; enabled: boolean; tags?: string[]; links: Links }
export interface Project { id: string; name: string; domain_id: string; parent_id: string | null; is_domain: boolean; enabled: boolean; description?: string; tags: string[]; links: Links; [extra: string]: unknown }
export interface User { id: string; name: string; domain_id: string; enabled: boolean; default_project_id?: string; password_expires_at: string | null; links: Links; [extra: string]: unknown }
export interface Group { id: string; name: string; domain_id: string; description?: string; links: Links }
export interface Role { id: string; name: string; domain_id: string | null; description?: string; options?: Record<string, unknown>; links: Links }
export interface Region { id: string; description?: string; parent_region_id: string | null; links: Links }
export interface Service { id: string; type: string; name?: string; enabled: boolean; description?: string; links: Links }
export interface Endpoint { id: string; interface: 'public' | 'internal' | 'admin'; region_id: string | null; service_id: string; url: string; enabled: boolean; links: Links }
export interface Credential { id: string; type: string; blob: string; user_id: string; project_id?: string | null; links: Links }
export interface RoleAssignment { role: { id: string; name?: string }; user?: { id: string }; group?: { id: string }; scope: { project?: { id: string }; domain?: { id: string }; system?: { all: boolean }; 'OS-INHERIT:inherited_to'?: string }; links: { assignment: string } }

export interface TokenBody {
  token: {
    methods: string[];
    user: { id: string; name: string; domain: { id: string; name: string }; password_expires_at?: string | null };
    expires_at: string;
    issued_at: string;
    audit_ids: string[];
    project?: { id: string; name: string; domain: { id: string; name: string } };
    domain?: { id: string; name: string };
    system?: { all: boolean };
    roles?: { id: string; name: string }[];
    catalog?: { id: string; type: string; name?: string; endpoints: { id: string; interface: string; region: string; region_id: string; url: string }[] }[];
    is_domain?: boolean;
  };
}

/** Keystone's error body for every 4xx/5xx it answers itself. */
export interface ErrorBody { error: { code: number; title: string; message: string } }
