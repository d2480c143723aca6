package io.groundstate.streams.cli;

import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.topology.EventMapping;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Writes the event log an instrumented app would have produced for labeled records: the same",
                "conversion eval uses (request started, context chunks, token deltas of one to four words, finished).",
                "JSON lines, gzipped when the name ends in .gz; an Avro object container file when it ends in .avro."})
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Labeled records, JSON lines (RAGTruth format).")
    Path data;

    @Option(names = "--out", required = true, description = "The event log to write: EVENTS.jsonl, EVENTS.jsonl.gz or EVENTS.avro.")
    Path out;

    @Option(names = "--order", defaultValue = "time",
            description = "time: all requests' events merged by event time, as a topic archive interleaves them; "
                    + "request: each request's events together (default: ${DEFAULT-VALUE}).")
    String order;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N records (0: all).")
    int limit;

    @Override
    public Integer call() throws Exception {
        if (!order.equals("time") && !order.equals("request")) {
            throw new IllegalArgumentException("--order must be time or request, not " + order);
        }
        List<LabeledRecord> records = LabeledRecord.read(data);
        if (limit > 0 && records.size() > limit) {
            records = records.subList(0, limit);
        }
        List<MonitorEvent> events = new ArrayList<>();
        if (order.equals("time")) {
            events.addAll(Simulator.interleaved(records));
        } else {
            records.forEach(r -> events.addAll(Simulator.events(r)));
        }
        String name = out.getFileName().toString();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        if (name.endsWith(".avro")) {
            try (DataFileWriter<Event> w = new DataFileWriter<>(new SpecificDatumWriter<>(Event.class))) {
                w.setCodec(CodecFactory.deflateCodec(6));
                w.create(Event.getClassSchema(), out.toFile());
                for (MonitorEvent e : events) {
                    w.append(EventMapping.toSchema(e));
                }
            }
        } else {
            try (OutputStream o = open(out, name.endsWith(".gz"))) {
                for (MonitorEvent e : events) {
                    o.write(EventCodec.toJsonBytes(EventMapping.toSchema(e)));
                    o.write('\n');
                }
            }
        }
        System.err.printf("simulate: %d events of %d requests written to %s%n", events.size(), records.size(), out);
        return 0;
    }

    private static OutputStream open(Path path, boolean gzip) throws java.io.IOException {
        OutputStream o = Files.newOutputStream(path);
        return new BufferedOutputStream(gzip ? new GZIPOutputStream(o, 1 << 16) : o, 1 << 16);
    }
}
