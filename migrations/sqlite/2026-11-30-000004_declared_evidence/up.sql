-- What the party says an item of evidence is (a proof of the case type's checklist, or 'other');
-- NULL for evidence added before parties declared it. Only declared kinds tick the checklist.
ALTER TABLE evidence ADD COLUMN proof TEXT;
