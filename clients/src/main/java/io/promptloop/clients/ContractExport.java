package io.promptloop.clients;

import io.promptloop.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

/**
 * Writes what the agent SDKs ship and test against, from the Java sources of truth, on every build: each topic's
 * value schema as one self-contained {@code <topic>-value.avsc} (the {@code .avsc} files of module schemas refer to
 * {@code common.avsc}; the parsed schema inlines it), the topic catalogue as {@code topics.json}, and
 * {@code partitions.json}: the partition Kafka's Java producer picks for a list of keys (murmur2, positive, modulo
 * the partition count), which the SDKs' partitioning must equal.
 *
 * <p>Usage: {@code ContractExport <fixture dir> <schema dir>...}
 */
public final class ContractExport {

    /** Keys as agents use them: session, test and run ids, agent/predictor keys, non-ASCII names. */
    static final List<String> KEYS = List.of(
            "3f2b6c1e-8a4d-4f7b-9c2e-1d5a7b9e0f13",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
            "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
            "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b",
            "hr-assistant",
            "hr-assistant/answer",
            "support-bot/classify",
            "agent",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "sälz-agent/prédicteur",
            "エージェント/回答",
            "emoji-🙂/predictor",
            "a-much-longer-key-with-more-than-sixteen-bytes-in-it-to-cover-every-tail-length",
            "x/y/z");

    static final List<Integer> PARTITION_COUNTS = List.of(1, 3, 6, 7, 12);

    /** Traffic splits whose product with 10,000 is a tie (x.5) in binary, or just below one, and ordinary ones. */
    static final List<Double> SPLITS =
            List.of(0.0, 0.00005, 0.00015, 0.00025, 0.00125, 0.12345, 0.5, 0.57, 0.99995, 0.1, 0.3333, 1.0);

    private ContractExport() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: ContractExport <fixture dir> <schema dir>...");
        }
        Path fixtures = Files.createDirectories(Path.of(args[0]));
        write(fixtures.resolve("partitions.json"), partitions());
        write(fixtures.resolve("thresholds.json"), thresholds());
        for (int i = 1; i < args.length; i++) {
            Path dir = Files.createDirectories(Path.of(args[i]));
            for (Topics.Topic<?> topic : Topics.ALL) {
                write(
                        dir.resolve(topic.valueSubject() + ".avsc"),
                        topic.valueSchema().toString(true) + "\n");
            }
            write(dir.resolve("topics.json"), topics());
        }
    }

    static String topics() {
        return Topics.ALL.stream()
                .map(t -> "  {\"name\": " + json(t.name()) + ", \"key\": " + json(t.key()) + ", \"valueSubject\": "
                        + json(t.valueSubject()) + ", \"valueSchema\": "
                        + json(t.valueSchema().getFullName())
                        + ", \"partitions\": " + t.defaultPartitions() + ", \"cleanup\": "
                        + json(t.cleanup().kafkaValue()) + ", \"deadLetterTopic\": " + json(t.deadLetterTopic())
                        + "}")
                .collect(Collectors.joining(",\n", "[\n", "\n]\n"));
    }

    /** Treatment buckets per split as {@link io.promptloop.schemas.Assignment} counts them: Math.round, ties up. */
    static String thresholds() {
        return SPLITS.stream()
                .map(split -> "  {\"split\": " + split + ", \"threshold\": "
                        + Math.round(split * io.promptloop.schemas.Assignment.BUCKETS) + "}")
                .collect(Collectors.joining(",\n", "[\n", "\n]\n"));
    }

    static String partitions() {
        List<String> rows = new ArrayList<>();
        for (String key : KEYS) {
            for (int n : PARTITION_COUNTS) {
                int partition = BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), n);
                rows.add("  {\"key\": " + json(key) + ", \"partitions\": " + n + ", \"partition\": " + partition + "}");
            }
        }
        return rows.stream().collect(Collectors.joining(",\n", "[\n", "\n]\n"));
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
