-- 006_case_phase: every case state has a phase (open / waiting / resolved /
-- closed) that the engine's clocks, lists and statistics use, whatever
-- the kind calls its states (src/domain/cases/case_kind.h). Cases so far
-- are residents' requests, whose states map as below.
ALTER TABLE cases ADD COLUMN phase TEXT NOT NULL DEFAULT 'open' CHECK (phase IN ('open', 'waiting', 'resolved', 'closed'));
UPDATE cases SET phase = CASE status WHEN 'waiting' THEN 'waiting' WHEN 'resolved' THEN 'resolved' WHEN 'closed' THEN 'closed' ELSE 'open' END
  WHERE status IN ('waiting', 'resolved', 'closed');
DROP INDEX cases_open_due;
CREATE INDEX cases_phase_due ON cases(phase, resolve_due);
