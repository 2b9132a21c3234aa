package io.promptloop.support.kafka;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;

/**
 * Apicurio's datum provider, with two changes. A record must use all its bytes: Avro's decoders stop at the end of
 * the record and ignore what follows, so a valid record with trailing garbage would otherwise be stored as if it
 * were whole; here it fails with {@link TrailingBytesException} (dead-lettered as {@code undecodable}). And readers
 * are cached per schema instance (the registry client caches the parsed schema), instead of fingerprinting the
 * schema on every record as the default provider does.
 *
 * <p>Configured for every client of a service by {@code apicurio.registry.avro-datum-provider}.
 */
public class WholeRecordDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public WholeRecordDatumProvider() {
        super();
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        DatumReader<T> cached = readers.get(schema);
        if (cached != null) return cached;
        return readers.computeIfAbsent(schema, s -> new WholeRecordReader<>(super.createDatumReader(s)));
    }

    /** Reads with the delegate, then insists that the decoder is at the end of its bytes. */
    static final class WholeRecordReader<T> implements DatumReader<T> {

        private final DatumReader<T> delegate;

        WholeRecordReader(DatumReader<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void setSchema(Schema schema) {
            delegate.setSchema(schema);
        }

        @Override
        public T read(T reuse, Decoder in) throws IOException {
            T value = delegate.read(reuse, in);
            if (in instanceof BinaryDecoder binary && !binary.isEnd()) {
                throw new TrailingBytesException();
            }
            return value;
        }
    }

    /** Bytes follow a complete record: the value is not one Avro record of its schema. */
    public static final class TrailingBytesException extends IOException {
        TrailingBytesException() {
            super("the value has bytes after the end of its Avro record");
        }
    }
}
