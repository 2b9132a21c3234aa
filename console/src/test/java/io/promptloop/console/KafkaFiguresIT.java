package io.promptloop.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The overview's Kafka figures against the test kit's real broker: a group's lag set up by hand (committed offsets
 * behind the end, one partition never committed), dead letters written just now; the page's figures equal what
 * this test counts with a plain consumer (end and beginning offsets; the dead-letter records themselves, read and
 * filtered by timestamp).
 */
class KafkaFiguresIT extends ConsoleTestSupport {

    static final String GROUP = "console-it-lag";
    static final String TOPIC = "console-it-lag";

    @Test
    void shouldShowTheLagOfAGroupAndTheDeadLettersOfTheLastHourAsTheBrokerHoldsThem() throws Exception {
        INFRA.createTopics();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
        String dlt = Topics.AGENT_SESSIONS.deadLetterTopic();
        try (var producer = producer()) {
            for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(TOPIC, 0, null, bytes(i)));
            for (int i = 0; i < 6; i++) producer.send(new ProducerRecord<>(TOPIC, 1, null, bytes(i)));
            for (int i = 0; i < 4; i++) producer.send(new ProducerRecord<>(TOPIC, 2, null, bytes(i)));
            for (int i = 0; i < 3; i++) producer.send(new ProducerRecord<>(dlt, null, bytes(i)));
            producer.flush();
        }
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        TopicPartition p2 = new TopicPartition(TOPIC, 2);
        long expectedLag;
        try (var consumer = consumer(GROUP)) {
            Map<TopicPartition, Long> end = consumer.endOffsets(List.of(p0, p1, p2));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(List.of(p2));
            // three records of partition 0 still to read, partition 1 read to its end, partition 2 never committed
            consumer.commitSync(Map.of(
                    p0, new OffsetAndMetadata(end.get(p0) - 3),
                    p1, new OffsetAndMetadata(end.get(p1))));
            expectedLag = 3 + (end.get(p2) - begin.get(p2));
        }
        assertThat(expectedLag).as("the set-up on a fresh topic").isEqualTo(7);

        WebSession reader = new WebSession();
        reader.login(READER, PASSWORD);
        String html = reader.get("/").body();
        assertThat(html).doesNotContain("id=\"kafka-error\"");

        Matcher lag = Pattern.compile("data-group=\"" + GROUP + "\" data-topic=\"" + TOPIC
                        + "\">\\s*<td>[^<]*</td>\\s*<td>[^<]*</td>\\s*<td class=\"num lag\">([^<]+)</td>"
                        + "\\s*<td class=\"num\">([^<]+)</td>\\s*<td class=\"num\">([^<]+)</td>")
                .matcher(html);
        assertThat(lag.find()).as("the lag row of " + GROUP + " in\n" + html).isTrue();
        assertThat(lag.group(1)).isEqualTo(Long.toString(expectedLag));
        assertThat(lag.group(2)).as("partitions").isEqualTo("3");
        assertThat(lag.group(3)).as("never committed").isEqualTo("1");

        Matcher since = Pattern.compile("id=\"kafka\" data-since=\"(\\d+)\"").matcher(html);
        assertThat(since.find()).isTrue();
        Map<String, Long> counted = deadLettersSince(Instant.ofEpochMilli(Long.parseLong(since.group(1))));
        assertThat(counted.get(dlt)).as("the three just written, at least").isGreaterThanOrEqualTo(3);
        long total = 0;
        for (Topics.Topic<?> topic : Topics.ALL) {
            String name = topic.deadLetterTopic();
            Matcher row = Pattern.compile(
                            "data-topic=\"" + name + "\">\\s*<td>[^<]*</td>\\s*<td class=\"num count\">([^<]+)</td>")
                    .matcher(html);
            assertThat(row.find()).as("a row for " + name).isTrue();
            assertThat(row.group(1)).as(name).isEqualTo(Long.toString(counted.get(name)));
            total += counted.get(name);
        }
        assertThat(html).contains("id=\"dead-letters-total\">" + total + "<");
    }

    /** Reads every dead-letter topic from its beginning to its end and counts the records at or after {@code since}. */
    private static Map<String, Long> deadLettersSince(Instant since) {
        Map<String, Long> counted = new HashMap<>();
        try (var consumer = consumer(null)) {
            for (Topics.Topic<?> topic : Topics.ALL) {
                String name = topic.deadLetterTopic();
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(name, Duration.ofSeconds(10))
                        .forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long n = 0;
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.timestamp() >= since.toEpochMilli()) n++;
                    }
                }
                counted.put(name, n);
            }
        }
        return counted;
    }

    private static String bootstrap() {
        return INFRA.kafkaBootstrapServers();
    }

    private static byte[] bytes(int i) {
        return ("record " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
