--liquibase formatted sql

-- promptloop :: A/B intake without a row per observation (A/B service)
--
-- Observations are counted once by the consumer's position, kept in the database in the transaction that adds a
-- batch to the statistics: observation_offsets holds, per consumer group and partition of ab-observations, the offset
-- of the next record to count. A record below it was counted (or dead-lettered) before and is skipped, so a batch
-- redelivered after a crash, a rebalance or a failed Kafka offset commit counts nothing twice; on assignment the
-- consumer seeks to it. Kafka's committed offsets are still written (lag monitoring) but the database decides.
-- Agents that re-send an event (same event id, new offset, same key and so the same partition) are caught by a
-- bounded window of recent event ids per partition: observation_event_ids holds the ids each batch counted, one row
-- per batch and partition, written in the same transaction and pruned to the window
-- (promptloop.abtest.intake.dedup-window.events per partition). A re-send older than the window is counted again.
-- observation_ledger (one row per observation) is no longer written.

--changeset promptloop:014-observation-offsets
CREATE TABLE abtest.observation_offsets (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    next_offset    bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT observation_offsets_pkey PRIMARY KEY (consumer_group, topic, partition),
    CONSTRAINT observation_offsets_partition_check CHECK (partition >= 0),
    CONSTRAINT observation_offsets_next_offset_check CHECK (next_offset >= 0)
);
COMMENT ON TABLE abtest.observation_offsets IS 'Per consumer group and partition of ab-observations: the offset of the next record to count, written in the transaction that adds the records before it to the statistics (exactly once under redelivery without a row per observation).';
COMMENT ON COLUMN abtest.observation_offsets.next_offset IS 'Offset of the next record to count: records below it were counted or dead-lettered.';
COMMENT ON COLUMN abtest.observation_offsets.updated_at IS 'When the last batch of this partition was counted (transaction time).';
--rollback DROP TABLE abtest.observation_offsets;

--changeset promptloop:014-observation-event-ids
CREATE TABLE abtest.observation_event_ids (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    first_offset   bigint      NOT NULL,
    last_offset    bigint      NOT NULL,
    event_ids      bytea       NOT NULL,
    counted_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT observation_event_ids_pkey PRIMARY KEY (consumer_group, topic, partition, first_offset),
    CONSTRAINT observation_event_ids_offsets_check CHECK (last_offset >= first_offset),
    CONSTRAINT observation_event_ids_length_check CHECK (octet_length(event_ids) % 16 = 0)
);
-- random ids do not compress: store them out of line without trying
ALTER TABLE abtest.observation_event_ids ALTER COLUMN event_ids SET STORAGE EXTERNAL;
COMMENT ON TABLE abtest.observation_event_ids IS 'The de-duplication window of agent re-sends: per batch and partition, the event ids it counted, pruned to the newest promptloop.abtest.intake.dedup-window.events ids per partition (a re-send older than that is counted again).';
COMMENT ON COLUMN abtest.observation_event_ids.first_offset IS 'Offset of the first record of the batch in this partition.';
COMMENT ON COLUMN abtest.observation_event_ids.last_offset IS 'Offset of the last record of the batch in this partition.';
COMMENT ON COLUMN abtest.observation_event_ids.event_ids IS 'The event ids counted by the batch, 16 bytes each (big-endian UUID), in offset order.';
COMMENT ON COLUMN abtest.observation_event_ids.counted_at IS 'When the batch was counted (transaction time).';
--rollback DROP TABLE abtest.observation_event_ids;

--changeset promptloop:014-observation-ledger-retired
COMMENT ON TABLE abtest.observation_ledger IS 'No longer written (since changelog 014): observations are counted once by abtest.observation_offsets and abtest.observation_event_ids. Rows of earlier versions are kept.';
--rollback COMMENT ON TABLE abtest.observation_ledger IS 'Event ids of observations already counted into variant_statistics: each observation is counted once despite redelivery.';
