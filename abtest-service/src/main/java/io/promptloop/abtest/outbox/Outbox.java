package io.promptloop.abtest.outbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Transactional outbox: an event is written in the same transaction as the state change it announces and
 * published afterwards by {@link OutboxRelay}, so a state change and its event can never part (a crash
 * between them only delays the event).
 */
@Repository
public class Outbox {

    private final JdbcClient jdbc;

    public Outbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds an event; must run inside the transaction of the change it announces. */
    public void add(String topic, String key, SpecificRecord value, UUID routingChangeId) {
        jdbc.sql("INSERT INTO abtest.outbox (topic, record_key, value_type, payload, routing_change_id)"
                        + " VALUES (?, ?, ?, ?, ?)")
                .params(topic, key, value.getClass().getName(), encode(value), routingChangeId)
                .update();
    }

    static byte[] encode(SpecificRecord value) {
        var out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new SpecificDatumWriter<SpecificRecord>(value.getSchema()).write(value, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static SpecificRecord decode(String type, byte[] payload) {
        try {
            Class<?> cls = Class.forName(type);
            var schema = SpecificData.get().getSchema(cls);
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, null);
            return new SpecificDatumReader<SpecificRecord>(schema).read(null, decoder);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("outbox holds an event of unknown type " + type, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
