package io.groundstate.streams.cli;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.streams.replay.EventArchive;
import io.groundstate.streams.replay.FileArchive;
import io.groundstate.streams.replay.InputPaths;
import io.groundstate.streams.replay.KafkaArchive;
import io.groundstate.streams.replay.ReplayFiles;
import io.groundstate.streams.replay.ReplayReport;
import io.groundstate.streams.replay.Replayer;
import io.groundstate.streams.topology.EventMapping;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays archived event logs through the same per-request monitor as the streaming topology",
                "and writes the alerts it would have raised, byte for byte as the topology writes them in JSON form.",
                "Inputs: JSON lines, gzip, Avro object container files, several files and globs; or a Kafka topic",
                "from an offset or a timestamp up to its end when the replay starts. Time is event time: a request",
                "that stops sending ends with idle_timeout once the log's clock passes its last event plus the",
                "timeout. The same input and configuration give byte-identical files.",
                "Exit codes: 0 done (unusable records go to the dead letters), 1 a file could not be read to its",
                "end or the encoder failed, 2 unusable arguments."})
public final class ReplayCommand implements Callable<Integer> {
    public static final int DEFAULT_WORKERS = 4;

    static final class Source {
        @Option(names = "--input", arity = "1..*", paramLabel = "PATH",
                description = "Archived event files or globs (quote a glob to let groundstate expand it, ** included).")
        List<String> inputs;

        @Option(names = "--from-topic", paramLabel = "TOPIC", description = "Replay a Kafka topic instead of files.")
        String topic;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
            description = "With --from-topic: the brokers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--from-offset", defaultValue = "0",
            description = "With --from-topic: start every partition at this offset (default: the earliest).")
    long fromOffset;

    @Option(names = "--from-timestamp", paramLabel = "TIME",
            description = "With --from-topic: start at the first records at or after this time (ISO-8601, e.g. "
                    + "2026-11-20T08:00:00Z, or epoch milliseconds).")
    String fromTimestamp;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
            description = "With --from-topic: a Kafka consumer setting (security, for instance); repeatable.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Option(names = "--alerts", required = true, paramLabel = "OUT.jsonl", description = "Where to write the alerts.")
    Path alerts;

    @Option(names = "--report", paramLabel = "OUT.html", description = "Also write the HTML report.")
    Path report;

    @Option(names = "--dead-letters", paramLabel = "OUT.jsonl",
            description = "Also write every unusable record with its position and reason.")
    Path deadLetters;

    @Option(names = "--verdicts", paramLabel = "OUT.jsonl", description = "Also write one verdict per request.")
    Path verdicts;

    @Option(names = "--idle-timeout", defaultValue = "120s", converter = DurationConverter.class,
            description = "End a request this long (event time) after its last event (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--retention", defaultValue = "300s", converter = DurationConverter.class,
            description = "Keep a finished request this long (event time) to ignore its late events (default: ${DEFAULT-VALUE}).")
    Duration retention;

    @Option(names = "--max-record-bytes", defaultValue = "" + EventMapping.DEFAULT_MAX_RECORD_BYTES,
            description = "Records larger than this become dead letters unparsed, as groundstate.input.max.record.bytes "
                    + "does (default: ${DEFAULT-VALUE}).")
    int maxRecordBytes;

    @Option(names = "--no-text", description = "Leave sentence text out of the alerts, as groundstate.output.text=false does.")
    boolean noText;

    @Option(names = "--workers", defaultValue = "" + DEFAULT_WORKERS,
            description = "Threads that run requests; their encoder calls are batched together (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--report-requests", defaultValue = "200",
            description = "Requests shown in detail in the report, in input order (default: ${DEFAULT-VALUE}).")
    int reportRequests;

    @Mixin
    EncoderOptions encoder;

    @Override
    public Integer call() throws Exception {
        if (source.topic == null && (fromTimestamp != null || !consumerProperties.isEmpty() || fromOffset != 0)) {
            throw new IllegalArgumentException("--from-offset, --from-timestamp and --consumer-property need --from-topic");
        }
        if (fromOffset < 0) {
            throw new IllegalArgumentException("--from-offset must be 0 or more");
        }
        Instant since = fromTimestamp == null ? null : instant(fromTimestamp);
        List<Path> files = source.inputs == null ? List.of() : InputPaths.expand(source.inputs);
        for (Path out : new Path[] {alerts, report, deadLetters, verdicts}) {
            if (out != null && files.stream().anyMatch(f -> f.toAbsolutePath().normalize()
                    .equals(out.toAbsolutePath().normalize()))) {
                throw new IllegalArgumentException(out + " is an input; refusing to overwrite it");
            }
        }
        MonitorConfig monitorConfig = encoder.monitorConfig();
        Combiner combiner = encoder.combiner();
        Replayer.Settings settings = new Replayer.Settings(workers, idleTimeout.toMillis(), retention.toMillis(),
                maxRecordBytes);
        long started = System.nanoTime();
        try (Encoder enc = encoder.openEncoder();
             EventArchive archive = source.topic != null
                     ? new KafkaArchive(bootstrapServers, source.topic, fromOffset, since, consumerProperties)
                     : new FileArchive(files)) {
            EncoderOptions.warnOnEncoderMismatch(enc, combiner);
            ReplayReport html = report == null ? null : new ReplayReport(reportRequests, combiner.thresholds());
            Replayer replayer = new Replayer(settings, clock -> new RequestMonitor(enc, combiner, monitorConfig, clock));
            Progress progress = Progress.forStderr("replay", "events", archive::progress);
            Replayer.Counts counts;
            ReplayFiles out = new ReplayFiles(alerts, verdicts, deadLetters, html, !noText);
            try (out) {
                counts = replayer.run(archive, out, progress);
            }
            progress.finish();
            double secs = (System.nanoTime() - started) / 1e9;
            long alertTotal = out.alertCounts().values().stream().mapToLong(Long::longValue).sum();
            if (html != null) {
                List<String> meta = new ArrayList<>();
                meta.add("input: " + (source.topic != null ? "topic " + source.topic + " at " + bootstrapServers
                        : String.join(", ", files.stream().map(Path::toString).toList())));
                meta.add(String.format("%d records, %d events, %d requests, %d dead letters, %d alerts", counts.records(),
                        counts.events(), counts.requests(), counts.deadLetters(), alertTotal));
                meta.add("encoder " + enc.id() + ", weights version " + combiner.version() + " ("
                        + combiner.weights().fittedOn() + "), idle timeout " + idleTimeout.toSeconds() + " s");
                Files.writeString(report, html.html(meta), StandardCharsets.UTF_8);
            }
            System.err.printf("replay: %d events of %d requests in %.1f s (%.1f requests/s); %d verdicts, %d hallucinated;"
                            + " alerts %s; %d dead letters%n", counts.events(), counts.requests(), secs,
                    counts.requests() / Math.max(secs, 1e-9), out.verdicts(), out.hallucinated(), kinds(out.alertCounts()),
                    counts.deadLetters());
            if (archive instanceof FileArchive fa && fa.damagedFiles() > 0) {
                System.err.printf("replay: %d file(s) could not be read to the end; see the dead letters%n",
                        fa.damagedFiles());
                return 1;
            }
        }
        return 0;
    }

    private static String kinds(Map<MonitorOutput.AlertKind, Long> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((k, n) -> parts.add(ReplayReport.kindName(k) + " " + n));
        return String.join(", ", parts);
    }

    static Instant instant(String s) {
        try {
            return s.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(s)) : Instant.parse(s);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("--from-timestamp: '" + s + "' is neither ISO-8601 nor epoch milliseconds");
        }
    }
}
