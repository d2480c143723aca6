package io.groundstate.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.TestProcesses;
import io.groundstate.streams.cli.GroundstateCommand;
import io.groundstate.streams.topology.EventMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * groundstate against a broker that takes only SASL/SCRAM-SHA-512 over TLS on its client listener, configured
 * the way the Helm chart configures it: the password from the environment, the CA as a PEM truststore. The
 * monitor runs as its own JVM so that everything it logs can be searched for the secrets.
 */
class SecureBrokerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String USER = "groundstate";
    static final String PASSWORD = "Sc4m-Pa55-" + Long.toHexString(System.nanoTime());
    static final String KEYSTORE_PASSWORD = "Ks-" + Long.toHexString(System.nanoTime() * 31);
    static Path dir;
    static Path caPem;
    static EmbeddedKafka broker;

    @BeforeAll
    static void startSecureBroker() throws Exception {
        dir = Files.createTempDirectory("gs-secure");
        Path keystore = dir.resolve("broker.p12");
        caPem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        TestProcesses.Result made = TestProcesses.run(List.of(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD), null,
                Duration.ofMinutes(1));
        assertEquals(0, made.exitCode(), made.output());
        TestProcesses.Result exported = TestProcesses.run(List.of(keytool, "-exportcert", "-rfc", "-alias", "broker",
                "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD, "-file", caPem.toString()), null,
                Duration.ofMinutes(1));
        assertEquals(0, exported.exitCode(), exported.output());
        broker = EmbeddedKafka.start(dir.resolve("kafka"), 0,
                new EmbeddedKafka.SaslSsl(keystore, KEYSTORE_PASSWORD, Map.of(USER, PASSWORD)));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
        EmbeddedKafka.deleteTree(dir);
    }

    /** A client's settings for the secure listener, as a user of the chart writes them. */
    static Map<String, Object> secureClient(String password) {
        Map<String, Object> m = new HashMap<>();
        m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.saslSslBootstrapServers());
        m.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        m.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        m.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + USER + "\" password=\"" + password + "\";");
        m.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        m.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caPem.toString());
        return m;
    }

    @Test
    void aWrongPasswordOrNoTlsIsRefused() {
        Map<String, Object> wrong = secureClient("not-the-password");
        wrong.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        wrong.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(wrong)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SaslAuthenticationException, e.toString());
        }
        Map<String, Object> plain = new HashMap<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.saslSslBootstrapServers(),
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 4_000));
        try (Admin admin = Admin.create(plain)) {
            assertThrows(Exception.class, () -> admin.describeCluster().nodes().get(20, TimeUnit.SECONDS),
                    "a plaintext client gets nothing from the TLS listener");
        }
    }

    @Test
    void theMonitorRunsOverSaslScramAndTlsAndLogsNoSecret() throws Exception {
        Path config = dir.resolve("groundstate.properties");
        String suffix = Long.toHexString(System.nanoTime());
        Files.writeString(config, String.join("\n",
                "bootstrap.servers=" + broker.saslSslBootstrapServers(),
                "application.id=gs-secure-" + suffix,
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                // as the chart writes it: the password comes from the pod's environment
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"${env:KAFKA_USERNAME}\" password=\"${env:KAFKA_PASSWORD}\";",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + caPem,
                "groundstate.topic.events=secure-" + suffix + ".events",
                "groundstate.topic.rekeyed=secure-" + suffix + ".rekeyed",
                "groundstate.topic.alerts=secure-" + suffix + ".alerts",
                "groundstate.topic.spans=secure-" + suffix + ".spans",
                "groundstate.topic.verdicts=secure-" + suffix + ".verdicts",
                "groundstate.topic.dlq=secure-" + suffix + ".dlq",
                "groundstate.metrics.address=127.0.0.1:" + TestProcesses.freePort(),
                "state.dir=" + dir.resolve("state-" + suffix), ""));
        Path log = dir.resolve("monitor-" + suffix + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                GroundstateCommand.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KAFKA_USERNAME", USER);
        pb.environment().put("KAFKA_PASSWORD", PASSWORD);
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        // As talkative as an operator would make it: Kafka's config dumps at INFO, ours at DEBUG.
        pb.environment().put("GROUNDSTATE_ROOT_LOG_LEVEL", "INFO");
        pb.environment().put("GROUNDSTATE_LOG_LEVEL", "DEBUG");
        Process monitor = pb.start();
        try {
            awaitLog(monitor, log, "groundstate is running", Duration.ofMinutes(3));
            LabeledRecord answer = LabeledRecord.read(Path.of(getClass().getResource("/labeled-sample.jsonl").toURI()))
                    .get(0);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(secureClient(PASSWORD),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (MonitorEvent e : Simulator.events(answer)) {
                    producer.send(new ProducerRecord<>("secure-" + suffix + ".events", e.requestId(),
                            EventCodec.toJsonBytes(EventMapping.toSchema(e))));
                }
            }
            Map<String, Object> reader = secureClient(PASSWORD);
            reader.put(ConsumerConfig.GROUP_ID_CONFIG, "secure-reader-" + suffix);
            reader.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            JsonNode verdict = null;
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(reader, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("secure-" + suffix + ".verdicts"));
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (verdict == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        verdict = JSON.readTree(r.value());
                    }
                }
            }
            assertNotNull(verdict, "a verdict over SASL_SSL; monitor log:\n" + tail(log));
            assertEquals(answer.id(), verdict.get("request_id").asText());
        } finally {
            monitor.destroy(); // SIGTERM: the graceful shutdown path logs too
            if (!monitor.waitFor(60, TimeUnit.SECONDS)) {
                monitor.destroyForcibly();
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.copy(log, Path.of("target", "secure-monitor.log"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(output.contains("sasl.jaas.config = [hidden]"), "Kafka's config dump shows the secret as hidden");
        assertTrue(output.contains("security.protocol = SASL_SSL"), "the clients ran with SASL_SSL");
        assertFalse(output.contains(PASSWORD), "the SCRAM password appears in the monitor's output");
        assertFalse(output.contains("password=\"" + PASSWORD), "the JAAS line appears in the monitor's output");
    }

    static void awaitLog(Process p, Path log, String line, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the monitor exited (" + p.exitValue() + ") before '" + line + "':\n" + tail(log));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + line + "' in " + timeout + ":\n" + tail(log));
    }

    static String tail(Path log) throws IOException {
        String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        return s.substring(Math.max(0, s.length() - 6000));
    }
}
