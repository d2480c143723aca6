package io.groundstate.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundstateConfigTest {
    @TempDir
    Path dir;

    @Test
    void kafkaSettingsPassThroughAndSecretsComeFromTheEnvironment() throws Exception {
        Path f = dir.resolve("gs.properties");
        Files.writeString(f, String.join("\n",
                "bootstrap.servers=broker-1:9093,broker-2:9093",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"gs\" password=\"${env:GS_KAFKA_PASSWORD}\";",
                "ssl.truststore.location=/etc/kafka/truststore.jks",
                "producer.compression.type=zstd",
                "groundstate.topic.extra=retrieval.log, other.log",
                "groundstate.topics.partitions=12"));
        GroundstateConfig c = GroundstateConfig.load(f, name -> name.equals("GS_KAFKA_PASSWORD") ? "s3cr$t\\x" : null);
        Map<String, Object> kafka = c.kafka();
        assertEquals("broker-1:9093,broker-2:9093", c.bootstrapServers());
        assertFalse(c.embedded());
        assertEquals("SASL_SSL", kafka.get("security.protocol"));
        assertTrue(((String) kafka.get("sasl.jaas.config")).contains("password=\"s3cr$t\\x\";"), "replacement text taken literally");
        assertEquals("zstd", kafka.get("producer.compression.type"));
        assertEquals("exactly_once_v2", kafka.get("processing.guarantee"), "groundstate's default");
        assertFalse(kafka.keySet().stream().anyMatch(k -> k.startsWith("groundstate.")), "our keys stay ours");
        assertEquals(List.of("retrieval.log", "other.log"), c.extraTopics());
        assertEquals(12, c.getInt(GroundstateConfig.TOPICS_PARTITIONS));
    }

    @Test
    void anUnsetVariableAnUnknownKeyAndABadValueAreClearErrors() throws Exception {
        Path f = dir.resolve("a.properties");
        Files.writeString(f, "sasl.jaas.config=password=\"${env:NOPE_NOT_SET}\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> GroundstateConfig.load(f, n -> null));
        assertTrue(e.getMessage().contains("NOPE_NOT_SET") && e.getMessage().contains("sasl.jaas.config"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> new GroundstateConfig(Map.of("groundstate.topic.alert", "x")));
        assertTrue(e.getMessage().contains("unknown setting groundstate.topic.alert"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> new GroundstateConfig(Map.of(GroundstateConfig.TOPICS_PARTITIONS, "0")));
        assertTrue(e.getMessage().contains(GroundstateConfig.TOPICS_PARTITIONS), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new GroundstateConfig(Map.of(GroundstateConfig.OUTPUT_FORMAT, "xml")));
        assertTrue(e.getMessage().contains(GroundstateConfig.OUTPUT_FORMAT), e.getMessage());

        e = assertThrows(ConfigException.class, () -> GroundstateConfig.load(dir.resolve("missing.properties"), n -> null));
        assertTrue(e.getMessage().contains("no such config file"));
    }

    @Test
    void noBootstrapServersMeansTheEmbeddedBroker() {
        assertTrue(GroundstateConfig.defaults().embedded());
        assertFalse(GroundstateConfig.defaults().with(Map.of("bootstrap.servers", "localhost:1")).embedded());
    }

    @Test
    void alertsCommitAtOnceOnlyWhereOutputsWaitForACommit() {
        assertTrue(GroundstateConfig.defaults().commitOnAlert(), "on by default, under exactly-once");
        assertFalse(GroundstateConfig.defaults().with(Map.of("processing.guarantee", "at_least_once")).commitOnAlert(),
                "at-least-once outputs are visible when sent: a commit per alert would buy nothing");
        assertFalse(GroundstateConfig.defaults().with(Map.of(GroundstateConfig.COMMIT_ON_ALERT, false)).commitOnAlert());
    }

    @Test
    void theConfigurationDocumentIsGeneratedFromTheDefinitions() throws Exception {
        String committed = Files.readString(Path.of("..", "docs", "configuration.md"));
        assertEquals(GroundstateConfig.markdown(), committed,
                "docs/configuration.md is stale: bin/groundstate config-docs > docs/configuration.md");
        for (String key : GroundstateConfig.DEFINITION.names()) {
            assertTrue(committed.contains("`" + key + "`"), key);
        }
    }
}
