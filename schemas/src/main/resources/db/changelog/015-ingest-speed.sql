--liquibase formatted sql

-- promptloop :: ingest speed-ups (ingest-service)
--
-- ingest-service updates each session row once per batch that carries turns of that session (its counters move
-- in the batch's session upsert). With the default fillfactor 100 a page of sessions has no room for the new row
-- version, so most of those updates were not HOT and touched all seven indexes of the table. Leaving 30 % of each
-- page free lets PostgreSQL keep the new version on the same page and skip the indexes (no indexed column
-- changes). Applies to pages written from now on; existing pages gain room as autovacuum frees them.

--changeset promptloop:015-sessions-fillfactor
ALTER TABLE conversation.prompt_tuning_sessions SET (fillfactor = 70);
--rollback ALTER TABLE conversation.prompt_tuning_sessions RESET (fillfactor);
