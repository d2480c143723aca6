package io.groundstate.streams.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A snapshot of a Kafka topic: every partition from a start offset or timestamp up to the end offsets seen
 * when the replay began, so a replay ends even while producers keep writing. Partitions are merged by record
 * timestamp (then partition, then offset), so the same snapshot always replays in the same order; a request's
 * own events stay in their partition's order. Nothing is committed: replay never moves a consumer group.
 */
public final class KafkaArchive implements EventArchive {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> end = new HashMap<>();
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffered = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    private final long total;
    private long read;

    /**
     * @param fromOffset   a start offset for every partition (0: the earliest), ignored when fromTimestamp is set
     * @param fromTimestamp the first records at or after this time, or null
     */
    public KafkaArchive(String bootstrapServers, String topic, long fromOffset, Instant fromTimestamp,
                        Map<String, String> consumerProperties) {
        Properties p = new Properties();
        p.putAll(consumerProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "groundstate-replay");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, READ_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("no such topic: " + topic);
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts, READ_TIMEOUT);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(parts, READ_TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> byTime = null;
            if (fromTimestamp != null) {
                Map<TopicPartition, Long> query = new HashMap<>();
                parts.forEach(tp -> query.put(tp, fromTimestamp.toEpochMilli()));
                byTime = consumer.offsetsForTimes(query, READ_TIMEOUT);
            }
            long sum = 0;
            for (TopicPartition tp : parts) {
                long from;
                if (byTime != null) {
                    OffsetAndTimestamp at = byTime.get(tp);
                    from = at == null ? ends.get(tp) : at.offset();
                } else {
                    from = Math.min(Math.max(fromOffset, begins.get(tp)), ends.get(tp));
                }
                end.put(tp, ends.get(tp));
                nextOffset.put(tp, from);
                buffered.put(tp, new ArrayDeque<>());
                consumer.seek(tp, from);
                sum += ends.get(tp) - from;
            }
            total = sum;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    @Override
    public ArchivedRecord next() {
        while (true) {
            TopicPartition best = null;
            ConsumerRecord<byte[], byte[]> head = null;
            boolean waiting = false;
            for (Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e : buffered.entrySet()) {
                ArrayDeque<ConsumerRecord<byte[], byte[]>> q = e.getValue();
                if (q.isEmpty()) {
                    if (nextOffset.get(e.getKey()) < end.get(e.getKey())) {
                        waiting = true; // this partition's head is not here yet: merging now would reorder
                    }
                    continue;
                }
                ConsumerRecord<byte[], byte[]> r = q.peek();
                if (head == null || before(r, head)) {
                    head = r;
                    best = e.getKey();
                }
            }
            if (waiting) {
                fill();
                continue;
            }
            if (head == null) {
                return null;
            }
            buffered.get(best).poll();
            read++;
            return ArchivedRecord.of(best.toString(), "offset", head.offset(), head.value());
        }
    }

    private static boolean before(ConsumerRecord<?, ?> a, ConsumerRecord<?, ?> b) {
        if (a.timestamp() != b.timestamp()) {
            return a.timestamp() < b.timestamp();
        }
        return a.partition() != b.partition() ? a.partition() < b.partition() : a.offset() < b.offset();
    }

    private void fill() {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (true) {
            List<TopicPartition> active = new ArrayList<>();
            for (TopicPartition tp : buffered.keySet()) {
                if (nextOffset.get(tp) < end.get(tp)) {
                    active.add(tp);
                }
            }
            // Only partitions still short of their end are fetched, so the snapshot's end holds.
            consumer.pause(consumer.assignment().stream().filter(tp -> !active.contains(tp)).toList());
            int got = 0;
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                nextOffset.put(tp, r.offset() + 1);
                if (r.offset() < end.get(tp)) {
                    buffered.get(tp).add(r);
                    got++;
                }
            }
            for (TopicPartition tp : active) {
                // Transaction markers and compacted gaps take offsets without records.
                nextOffset.put(tp, Math.max(nextOffset.get(tp), consumer.position(tp)));
            }
            if (got > 0 || active.stream().noneMatch(tp -> nextOffset.get(tp) < end.get(tp))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no records from " + active + " for " + READ_TIMEOUT.toSeconds()
                        + " s although their end offsets are further on");
            }
        }
    }

    @Override
    public double progress() {
        return total == 0 ? 1 : Math.min(1, (double) read / total);
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
