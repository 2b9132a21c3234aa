package io.promptloop.abtest.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox events in id order. One relay at a time across replicas (a transaction-scoped advisory
 * lock), so events of one key keep their order; an event is marked published only after the broker
 * acknowledged it, so a crash re-publishes (at least once — routing is compacted and idempotent, decisions
 * carry their event id).
 */
@Component
public class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long LOCK_KEY = 0x70726f6d70746cL; // "promptl"

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final KafkaTemplate<String, SpecificRecord> kafka;
    private final Clock clock;
    private final MeterRegistry meters;
    private final int batchSize;

    public OutboxRelay(
            JdbcClient jdbc,
            TransactionTemplate tx,
            KafkaTemplate<String, SpecificRecord> avroTemplate,
            Clock clock,
            MeterRegistry meters,
            io.promptloop.abtest.config.AbtestProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.kafka = avroTemplate;
        this.clock = clock;
        this.meters = meters;
        this.batchSize = properties.relay().batchSize();
    }

    private record Pending(long id, String topic, String key, String type, byte[] payload, UUID routingChangeId) {}

    @Scheduled(fixedDelayString = "${promptloop.abtest.relay.interval:200ms}")
    public void relay() {
        try {
            while (Boolean.TRUE.equals(tx.execute(status -> relayBatch()))) {
                // keep going while full batches were published
            }
        } catch (RuntimeException e) {
            log.warn("outbox relay failed, retrying on the next tick: {}", e.toString());
        }
    }

    /** @return whether a full batch was published (more may be waiting) */
    private boolean relayBatch() {
        boolean locked = jdbc.sql("SELECT pg_try_advisory_xact_lock(?)")
                .param(LOCK_KEY)
                .query(Boolean.class)
                .single();
        if (!locked) return false;
        List<Pending> pending = jdbc.sql("SELECT id, topic, record_key, value_type, payload, routing_change_id"
                        + " FROM abtest.outbox WHERE published_at IS NULL ORDER BY id LIMIT ?")
                .param(batchSize)
                .query((rs, i) -> new Pending(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getBytes(5),
                        rs.getObject(6, UUID.class)))
                .list();
        if (pending.isEmpty()) return false;
        List<CompletableFuture<SendResult<String, SpecificRecord>>> sends = pending.stream()
                .map(p -> kafka.send(p.topic(), p.key(), Outbox.decode(p.type(), p.payload())))
                .toList();
        kafka.flush();
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publishing the outbox failed: " + e, e);
        }
        var now = Timestamp.from(clock.instant());
        long[] ids = pending.stream().mapToLong(Pending::id).toArray();
        jdbc.sql("UPDATE abtest.outbox SET published_at = ? WHERE id = ANY(?)")
                .params(now, ids(ids))
                .update();
        jdbc.sql(
                        "UPDATE abtest.routing_changes SET published_at = ? WHERE id IN"
                                + " (SELECT routing_change_id FROM abtest.outbox WHERE id = ANY(?) AND routing_change_id IS NOT NULL)")
                .params(now, ids(ids))
                .update();
        meters.counter("promptloop.abtest.outbox.published").increment(pending.size());
        return pending.size() == batchSize;
    }

    private static Long[] ids(long[] ids) {
        Long[] boxed = new Long[ids.length];
        for (int i = 0; i < ids.length; i++) boxed[i] = ids[i];
        return boxed;
    }
}
