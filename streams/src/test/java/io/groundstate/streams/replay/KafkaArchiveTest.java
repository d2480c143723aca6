package io.groundstate.streams.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.streams.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.streams.cli.GroundstateCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a topic snapshot from a real (embedded KRaft) broker. */
class KafkaArchiveTest {

    @Test
    void aTopicReplaysFromAnOffsetOrATimestampUpToItsEndInADeterministicOrder(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            String topic = "archive-" + System.nanoTime();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            long base = 1_767_225_600_000L;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < 30; i++) {
                    // Partitions by hand, timestamps interleaved across them.
                    producer.send(new ProducerRecord<>(topic, i % 3, base + i * 1000L, null,
                            ("record-" + i).getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            List<String> all = read(new KafkaArchive(kafka.bootstrapServers(), topic, 0, null, Map.of()));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                expected.add("record-" + i);
            }
            assertEquals(expected, all, "merged by timestamp across partitions");
            assertEquals(expected.subList(20, 30), read(new KafkaArchive(kafka.bootstrapServers(), topic, 0,
                    Instant.ofEpochMilli(base + 20_000), Map.of())));
            List<String> fromOffset = read(new KafkaArchive(kafka.bootstrapServers(), topic, 8, null, Map.of()));
            assertEquals(List.of("record-24", "record-25", "record-26", "record-27", "record-28", "record-29"),
                    fromOffset, "offset 8 of each partition of ten");
            try (KafkaArchive empty = new KafkaArchive(kafka.bootstrapServers(), topic, 0,
                    Instant.ofEpochMilli(base + 3_600_000), Map.of())) {
                assertNull(empty.next());
                assertEquals(1.0, empty.progress());
            }
            try (KafkaArchive a = new KafkaArchive(kafka.bootstrapServers(), topic, 0, null, Map.of())) {
                ArchivedRecord first = a.next();
                assertEquals("offset", first.unit());
                assertEquals(topic + "-0", first.source());
                assertArrayEquals("record-0".getBytes(StandardCharsets.UTF_8), first.value());
                assertTrue(a.progress() > 0 && a.progress() < 1);
            }
        }
    }

    @Test
    void replayFromATopicWritesWhatReplayFromTheArchivedFileWrites(@TempDir Path dir) throws Exception {
        Path events = dir.resolve("events.jsonl");
        assertEquals(0, GroundstateCommand.execute("simulate", "--data", "src/test/resources/labeled-sample.jsonl",
                "--out", events.toString()));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            String topic = "events-" + System.nanoTime();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (String line : Files.readAllLines(events)) {
                    JsonNode e = new ObjectMapper().readTree(line);
                    producer.send(new ProducerRecord<>(topic, null, e.get("event_time").asLong(),
                            e.get("request_id").asText().getBytes(StandardCharsets.UTF_8),
                            line.getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            Path fromFile = dir.resolve("file.jsonl");
            Path fromTopic = dir.resolve("topic.jsonl");
            assertEquals(0, GroundstateCommand.execute("replay", "--input", events.toString(), "--alerts",
                    dir.resolve("a1.jsonl").toString(), "--verdicts", fromFile.toString()));
            assertEquals(0, GroundstateCommand.execute("replay", "--from-topic", topic, "--bootstrap-servers",
                    kafka.bootstrapServers(), "--alerts", dir.resolve("a2.jsonl").toString(), "--verdicts",
                    fromTopic.toString()));
            assertEquals(6, Files.readAllLines(fromFile).size());
            assertEquals(new TreeSet<>(Files.readAllLines(fromFile)), new TreeSet<>(Files.readAllLines(fromTopic)));
            assertEquals(new TreeSet<>(Files.readAllLines(dir.resolve("a1.jsonl"))),
                    new TreeSet<>(Files.readAllLines(dir.resolve("a2.jsonl"))));
        }
    }

    static List<String> read(KafkaArchive archive) throws Exception {
        List<String> out = new ArrayList<>();
        try (archive) {
            ArchivedRecord r;
            while ((r = archive.next()) != null) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
