import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.streams.kafka.MonitorApp;
import io.groundstate.detectors.encoder.Encoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stored size of a finished request's state (what RocksDB and the changelog hold for the retention), over
 * labeled answers run through the monitor with the default encoder. Run from the repository root after a build:
 *
 * <pre>java -cp "streams/target/groundstate-streams-0.1.0-SNAPSHOT.jar:streams/target/lib/*" \
 *     docs/examples/StateSize.java ../shared/data/ragtruth-dev.jsonl 120</pre>
 */
public class StateSize {
    public static void main(String[] args) throws Exception {
        List<LabeledRecord> records = LabeledRecord.read(Path.of(args[0]));
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : records.size();
        List<Long> sizes = new ArrayList<>();
        try (Encoder encoder = MonitorApp.openEncoder("default", "cpu", 8, 1)) {
            RequestMonitor monitor = new RequestMonitor(encoder, Combiner.shipped(), MonitorConfig.defaults(), () -> 0L);
            for (LabeledRecord r : records.subList(0, Math.min(limit, records.size()))) {
                RequestState state = new RequestState();
                for (MonitorEvent e : Simulator.events(r)) {
                    monitor.process(state, e);
                }
                sizes.add((long) state.toBytes().length);
            }
        }
        Collections.sort(sizes);
        int n = sizes.size();
        System.out.printf("requests %d, mean %d B, median %d B, p95 %d B, max %d B%n", n,
                sizes.stream().mapToLong(Long::longValue).sum() / n, sizes.get(n / 2), sizes.get((int) (n * 0.95)),
                sizes.get(n - 1));
    }
}
