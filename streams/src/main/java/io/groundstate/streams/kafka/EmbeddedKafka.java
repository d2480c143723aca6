package io.groundstate.streams.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker (broker and controller in one) in this JVM, for the demo, tests and
 * {@code run} without bootstrap servers. Replication factors and min ISR of internal topics are 1, so
 * exactly-once works on one node.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dir;
    private final boolean temporary;
    private final int port;
    private final KafkaRaftServer server;

    private int securePort = -1;

    private EmbeddedKafka(Path dir, boolean temporary, int port, KafkaRaftServer server) {
        this.dir = dir;
        this.temporary = temporary;
        this.port = port;
        this.server = server;
    }

    /**
     * Formats the directory if it is new and starts the broker; returns when it answers a metadata request.
     *
     * @param dataDir the log directory, or null for a temporary one deleted on close
     * @param port    the client port, or 0 for a free one
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, null);
    }

    /**
     * A second client listener that takes SASL/SCRAM-SHA-512 over TLS, as a managed cluster does, for the tests of
     * groundstate's security settings. The plaintext listener stays (the broker's own traffic and the set-up).
     *
     * @param keystore         the broker's key and certificate (PKCS12)
     * @param keystorePassword its password
     * @param scramUsers       user name to password, created once the broker is up
     */
    public record SaslSsl(Path keystore, String keystorePassword, Map<String, String> scramUsers) {
        @Override
        public String toString() {
            return "SaslSsl[keystore=" + keystore + ", users=" + scramUsers.keySet() + "]"; // no passwords
        }
    }

    /** @param secured a SASL_SSL listener besides the plaintext one, or null for none */
    public static EmbeddedKafka start(Path dataDir, int port, SaslSsl secured) {
        boolean temporary = dataDir == null;
        try {
            Path dir = temporary ? Files.createTempDirectory("groundstate-kafka-") : Files.createDirectories(dataDir);
            int clientPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
            p.put("listeners", "PLAINTEXT://localhost:" + clientPort + ",CONTROLLER://localhost:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://localhost:" + clientPort);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", dir.resolve("logs").toString());
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "4");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("num.partitions", "4");
            p.put("auto.create.topics.enable", "false");
            // Under a flood, a transaction's first produce can reach a partition before the previous transaction's
            // markers are written. With the default (100 ms) the broker soon bounced it to the producer, which retried
            // after 100 ms and logged OutOfOrderSequence errors for the batches behind it; waiting here logs nothing.
            p.put("add.partitions.to.txn.retry.backoff.max.ms", "5000");
            int securePort = -1;
            if (secured != null) {
                securePort = freePort();
                p.put("listeners", p.get("listeners") + ",SASL_SSL://localhost:" + securePort);
                p.put("advertised.listeners", p.get("advertised.listeners") + ",SASL_SSL://localhost:" + securePort);
                p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
                p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
                p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                p.put("ssl.keystore.type", "PKCS12");
                p.put("ssl.keystore.location", secured.keystore().toString());
                p.put("ssl.keystore.password", secured.keystorePassword());
                p.put("ssl.key.password", secured.keystorePassword());
            }
            Path config = dir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                p.store(out, "groundstate embedded broker");
            }
            if (!Files.exists(dir.resolve("logs").resolve("meta.properties"))) {
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                        "-c", config.toString(), "--ignore-formatted"},
                        new PrintStream(log, true, StandardCharsets.UTF_8));
                if (rc != 0) {
                    throw new IllegalStateException("formatting the embedded broker's storage failed: "
                            + log.toString(StandardCharsets.UTF_8));
                }
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(dir, temporary, clientPort, server);
            kafka.securePort = securePort;
            try {
                kafka.awaitReady(Duration.ofSeconds(60));
                if (secured != null) {
                    kafka.createScramUsers(secured.scramUsers());
                }
            } catch (RuntimeException e) {
                kafka.close(); // a broker that never became ready must not keep its ports and threads
                throw e;
            }
            LOG.info("embedded Kafka broker ready at {} (data in {})", kafka.bootstrapServers(), dir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded broker's directory", e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** The SASL_SSL listener's address; only for a broker started with {@link SaslSsl}. */
    public String saslSslBootstrapServers() {
        if (securePort < 0) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return "localhost:" + securePort;
    }

    private void createScramUsers(Map<String, String> users) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<UserScramCredentialAlteration> upserts = new ArrayList<>();
            users.forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
            admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating SCRAM users", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create SCRAM users on the embedded broker: " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the embedded broker started", e);
                } catch (Exception e) {
                    last = e;
                }
            }
            throw new IllegalStateException("the embedded broker did not start in " + timeout, last);
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
