-- A manually scheduled task whose duration is not decided yet (MS
-- Project's blank or "TBD" duration): it keeps its place in the plan but
-- is never on the critical path. Set by imports; giving the task a
-- duration or dates clears it.
ALTER TABLE tasks ADD COLUMN manual_placeholder BIGINT NOT NULL DEFAULT 0;
