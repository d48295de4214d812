-- Team rituals: the daily stand-up, follow-ups, the sprint review and the
-- retrospective.

-- Each day's drafted stand-up as the team last saw it that day (the parts
-- drawn from the plan's state, which later days cannot recompute).
CREATE TABLE standups (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    draft_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, day)
);

-- A line someone added to their part of a day's stand-up; with a task,
-- it marks that task as blocking them.
CREATE TABLE standup_notes (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    blocker_task_id BIGINT REFERENCES tasks(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX standup_notes_day ON standup_notes (project_id, day, id);

-- Small jobs with an owner that are not part of the plan, made from a
-- stand-up blocker or a retrospective item.
CREATE TABLE follow_ups (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    due TEXT,
    done_at BIGINT,
    origin TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX follow_ups_project ON follow_ups (project_id, id);

-- A blocker of a day's stand-up turned into a risk, a task or a follow-up.
CREATE TABLE standup_actions (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    -- The blocker: its kind, its task (if any) and whose it was.
    blocker_kind TEXT NOT NULL,
    task_id BIGINT REFERENCES tasks(id) ON DELETE SET NULL,
    person_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    made_type TEXT NOT NULL,
    made_id BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX standup_actions_day ON standup_actions (project_id, day);

CREATE TABLE sprint_reviews (
    sprint_id BIGINT PRIMARY KEY REFERENCES sprints(id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    demo_notes TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

-- The product side's verdict on one item of a sprint.
CREATE TABLE sprint_acceptances (
    sprint_id BIGINT NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (sprint_id, task_id)
);

-- A card of a sprint's retrospective. An anonymous card keeps no author.
CREATE TABLE retro_items (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    sprint_id BIGINT NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    column_name TEXT NOT NULL,
    text TEXT NOT NULL,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    anonymous BIGINT NOT NULL,
    votes BIGINT NOT NULL DEFAULT 0,
    -- What the card became: a task or a follow-up.
    action_type TEXT,
    action_id BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX retro_items_sprint ON retro_items (sprint_id, id);

-- Dots a person put on a card (a person has a few per retrospective).
CREATE TABLE retro_votes (
    item_id BIGINT NOT NULL REFERENCES retro_items(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sprint_id BIGINT NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    dots BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX retro_votes_person ON retro_votes (sprint_id, user_id);

-- The stand-up reads a project's changes of a day by time.
CREATE INDEX activity_workspace_at ON activity (workspace_id, at);
