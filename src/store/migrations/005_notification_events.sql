-- 005_notification_events: a notification names the event it reports
-- (reported, accepted, resolved, ...), so clients can word it in the
-- reader's language instead of parsing the stored Chinese text.
ALTER TABLE notifications ADD COLUMN event TEXT;
