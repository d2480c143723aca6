package io.groundstate.streams.kafka;

import io.groundstate.streams.config.GroundstateConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates groundstate's topics when they are missing; the rekeyed topic follows the events topic's partitions. */
public final class Topics {
    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    public static List<String> names(GroundstateConfig c) {
        Set<String> all = new LinkedHashSet<>();
        for (String k : List.of(GroundstateConfig.TOPIC_EVENTS, GroundstateConfig.TOPIC_REKEYED, GroundstateConfig.TOPIC_ALERTS,
                GroundstateConfig.TOPIC_SPANS, GroundstateConfig.TOPIC_VERDICTS, GroundstateConfig.TOPIC_DLQ)) {
            all.add(c.getString(k));
        }
        all.addAll(c.extraTopics());
        return new ArrayList<>(all);
    }

    /**
     * Creates what is missing (when {@code groundstate.topics.create}) and checks that the rekeyed topic has as
     * many partitions as the events topic.
     *
     * @return the rekeyed topic's partitions, which decide the task that owns each request
     */
    public static int ensure(Admin admin, GroundstateConfig c) {
        boolean createMissing = c.getBoolean(GroundstateConfig.TOPICS_CREATE);
        int partitions = c.getInt(GroundstateConfig.TOPICS_PARTITIONS);
        short replication = c.getShort(GroundstateConfig.TOPICS_REPLICATION);
        String events = c.getString(GroundstateConfig.TOPIC_EVENTS);
        String rekeyed = c.getString(GroundstateConfig.TOPIC_REKEYED);
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> missing = names(c).stream().filter(n -> !existing.contains(n)).toList();
            if (!missing.isEmpty() && !createMissing) {
                throw new IllegalStateException("missing topics " + missing + " and " + GroundstateConfig.TOPICS_CREATE
                        + " is false");
            }
            // The events topic first, then the rekeyed topic from its actual partition count: a topic created a
            // moment ago (by another instance, or by hand) may not be listed yet, and then creating it fails.
            if (missing.contains(events)) {
                create(admin, List.of(newTopic(events, partitions, replication)));
            }
            int ev = describe(admin, events).partitions().size();
            List<NewTopic> rest = missing.stream().filter(n -> !n.equals(events))
                    .map(n -> newTopic(n, n.equals(rekeyed) ? ev : partitions, replication)).toList();
            create(admin, rest);
            int rk = describe(admin, rekeyed).partitions().size();
            if (ev != rk) {
                throw new IllegalStateException("topic " + rekeyed + " has " + rk + " partitions but " + events + " has "
                        + ev + "; they must match so that every event of a request meets the same state");
            }
            return rk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list or create topics: " + e.getMessage(), e);
        }
    }

    private static NewTopic newTopic(String name, int partitions, short replication) {
        return new NewTopic(name, Optional.of(partitions), replication == -1 ? Optional.empty() : Optional.of(replication));
    }

    private static void create(Admin admin, List<NewTopic> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (topics.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            LOG.info("created topics {}", topics.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e; // another instance may have created them first
            }
        }
    }

    /** A topic just created may not be known to every broker yet: ask again for a while. */
    private static TopicDescription describe(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
