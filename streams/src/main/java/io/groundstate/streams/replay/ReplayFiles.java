package io.groundstate.streams.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.monitor.MonitorOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.streams.topology.OutputRecords;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a replay's results go: alerts as JSON lines, exactly the bytes the streaming topology writes to the
 * alerts topic in JSON form; optionally verdicts the same way, dead letters as JSON lines with their source,
 * position and reason, and the HTML report.
 */
public final class ReplayFiles implements Replayer.Sink, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OutputStream alerts;
    private final OutputStream verdicts;
    private final OutputStream deadLetters;
    private final ReplayReport report;
    private final boolean withText;
    private final Map<MonitorOutput.AlertKind, Long> alertCounts = new EnumMap<>(MonitorOutput.AlertKind.class);
    private long verdictCount;
    private long hallucinated;

    /** @param verdicts, deadLetters and report may be null */
    public ReplayFiles(Path alerts, Path verdicts, Path deadLetters, ReplayReport report, boolean withText)
            throws IOException {
        this.alerts = open(alerts);
        this.verdicts = verdicts == null ? null : open(verdicts);
        this.deadLetters = deadLetters == null ? null : open(deadLetters);
        this.report = report;
        this.withText = withText;
    }

    private static OutputStream open(Path p) throws IOException {
        if (p.toAbsolutePath().getParent() != null) {
            Files.createDirectories(p.toAbsolutePath().getParent());
        }
        return new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    }

    @Override
    public void deadLetter(ArchivedRecord record, String stage, String code, String reason) throws IOException {
        if (report != null) {
            report.deadLetter(reason);
        }
        if (deadLetters == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("source", record.source());
        o.put(record.unit(), record.position());
        o.put("stage", stage);
        o.put("reason", reason);
        o.put("reason_code", code);
        if (record.value() != null) {
            String text = utf8(record.value());
            if (text != null) {
                o.put("value", text);
            } else {
                o.put("value_base64", Base64.getEncoder().encodeToString(record.value()));
            }
        }
        deadLetters.write(o.toString().getBytes(StandardCharsets.UTF_8));
        deadLetters.write('\n');
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public void output(MonitorOutput output, Replayer.FinishedRequest finished) throws IOException {
        if (report != null) {
            report.add(output, finished);
        }
        if (output instanceof MonitorOutput.Alert a) {
            alertCounts.merge(a.kind(), 1L, Long::sum);
            alerts.write(OutputRecords.toJsonBytes(OutputRecords.toRecord(output, withText)));
            alerts.write('\n');
        } else if (output instanceof MonitorOutput.Verdict v) {
            verdictCount++;
            hallucinated += v.hallucinated() ? 1 : 0;
            if (verdicts != null) {
                verdicts.write(OutputRecords.toJsonBytes(OutputRecords.toRecord(output, withText)));
                verdicts.write('\n');
            }
        }
    }

    public Map<MonitorOutput.AlertKind, Long> alertCounts() {
        return alertCounts;
    }

    public long verdicts() {
        return verdictCount;
    }

    public long hallucinated() {
        return hallucinated;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (OutputStream o : new OutputStream[] {alerts, verdicts, deadLetters}) {
            if (o == null) {
                continue;
            }
            try {
                o.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
