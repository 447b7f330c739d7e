-- Reminder e-mails (services/reminders): an agency's own mailbox, a user's opt-out, and the
-- ledger of sent digests (one row per recipient and attempt), so that a rerun never sends twice.
-- (0003 is the reporting periods' migration, built in parallel; migrations apply by version.)

ALTER TABLE agencies ADD COLUMN email text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN reminders boolean NOT NULL DEFAULT true;

CREATE TABLE reminders (
    seq        bigserial PRIMARY KEY,
    day        date NOT NULL,              -- the digest's day (the office's local date)
    agency     text NOT NULL,              -- agency code, or LANH_DAO (the leaders' digest)
    recipient  text NOT NULL,
    items      integer NOT NULL DEFAULT 0,
    message_id text NOT NULL DEFAULT '',
    result     text NOT NULL,              -- 'Đã gửi', or 'Lỗi: ...'
    at         timestamptz
);
CREATE INDEX reminders_day ON reminders (day);

CREATE TRIGGER reminders_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reminders
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
