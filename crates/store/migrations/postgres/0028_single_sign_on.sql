-- Single sign-on: each sign-in started with the OpenID provider, kept
-- until its callback comes back (once) or ten minutes pass.
CREATE TABLE oidc_logins (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    -- The page to open after signing in.
    next_path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Who joins a workspace by signing in with the provider, with which
-- role: everyone (group '') and members of the provider's groups.
CREATE TABLE sso_roles (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (workspace_id, group_name)
);
