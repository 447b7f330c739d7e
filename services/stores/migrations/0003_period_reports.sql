-- Reporting periods: a task's cycle (one cell of text, "Hằng tháng, hạn ngày 25, từ 01/12/2026"),
-- and the periodic reports (báo cáo định kỳ), one row per submission, never overwritten.

ALTER TABLE tasks ADD COLUMN cycle text NOT NULL DEFAULT '';

CREATE TABLE period_reports (
    id            text PRIMARY KEY,            -- BC-0001
    task_id       text NOT NULL,
    period        text NOT NULL,               -- 2026-01 | 2026-Q1 | 2026-H1 | 2026
    content       text NOT NULL DEFAULT '',
    evidence      text NOT NULL DEFAULT '',
    progress      integer,                     -- optional
    agency        text NOT NULL DEFAULT '',
    state         text NOT NULL,               -- waiting | confirmed | returned
    submitted_by  text NOT NULL DEFAULT '',
    submitted_at  timestamptz,
    decided_by    text NOT NULL DEFAULT '',
    decided_at    timestamptz,
    note          text NOT NULL DEFAULT ''
);
CREATE INDEX period_reports_task ON period_reports (task_id);
-- at most one report waiting for the office per task and period, whatever writes the row
CREATE UNIQUE INDEX period_reports_one_waiting ON period_reports (task_id, period)
    WHERE state = 'waiting';

CREATE TRIGGER period_reports_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON period_reports
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
