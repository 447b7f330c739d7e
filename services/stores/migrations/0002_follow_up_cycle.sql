-- The follow-up cycle: a task's first deadline and counts of extensions and returns, the office's
-- reason for a return, withdrawal; users that can be deactivated; agencies' requests (đề xuất).

ALTER TABLE tasks
    ADD COLUMN original_deadline date,                 -- the deadline first given, kept when extended
    ADD COLUMN extensions        integer NOT NULL DEFAULT 0,
    ADD COLUMN returns           integer NOT NULL DEFAULT 0,
    ADD COLUMN return_reason     text NOT NULL DEFAULT '',
    ADD COLUMN withdrawn         text NOT NULL DEFAULT '';   -- the reason; '' = active

ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;

CREATE TABLE requests (
    id                text PRIMARY KEY,            -- DX-0001
    task_id           text NOT NULL,
    kind              text NOT NULL,               -- extension | reassign
    reason            text NOT NULL DEFAULT '',
    proposed_deadline date,
    proposed_agency   text NOT NULL DEFAULT '',
    agency            text NOT NULL DEFAULT '',
    state             text NOT NULL,               -- waiting | approved | refused
    requested_by      text NOT NULL DEFAULT '',
    requested_at      timestamptz,
    decided_by        text NOT NULL DEFAULT '',
    decided_at        timestamptz,
    note              text NOT NULL DEFAULT ''
);
CREATE INDEX requests_task ON requests (task_id);
-- at most one waiting request per task, whatever writes the row
CREATE UNIQUE INDEX requests_one_waiting ON requests (task_id) WHERE state = 'waiting';

CREATE TRIGGER requests_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON requests
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
