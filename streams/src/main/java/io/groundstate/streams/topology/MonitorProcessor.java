package io.groundstate.streams.topology;

import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.streams.metrics.GroundstateMetrics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the per-request monitor. The request's state lives in RocksDB ({@code request-state}); a small
 * index of activity ({@link RequestActivity}: last wall-clock activity and whether it finished, by id and by time)
 * lets a punctuator end idle requests with an idle_timeout verdict and delete finished ones after the retention,
 * reading only those that are due.
 */
final class MonitorProcessor implements Processor<String, DecodeProcessor.Decoded, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorProcessor.class);
    private static final int RECENT_ACTIVITY = 10_000;

    private final RequestMonitor monitor;
    private final boolean withText;
    private final boolean commitOnAlert;
    private final long idleMs;
    /**
     * A request's activity is written at most this often (a hundredth of the idle timeout, 1 s at most): writing it
     * at every event was 8% of the stream thread's time outside the detectors (profiled). The sweep waits this much
     * longer, so that a request is never ended before it has been idle for the whole timeout.
     */
    private final long activityStepMs;
    /** What was last written to the activity store, per recent request; one evicted is just written again. */
    private final Map<String, RequestActivity.Activity> activityWritten = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RequestActivity.Activity> eldest) {
            return size() > RECENT_ACTIVITY;
        }
    };
    private final long retentionMs;
    private final Duration interval;
    private final GroundstateMetrics metrics;
    private String task;
    private ProcessorContext<String, Object> context;
    private RequestStateStore states;
    private RequestActivity activity;
    private Metric commitLatency;
    private final AlertCommits alertCommits;

    MonitorProcessor(RequestMonitor monitor, boolean withText, boolean commitOnAlert, Duration idle, Duration retention,
                     Duration interval, GroundstateMetrics metrics) {
        this(monitor, withText, commitOnAlert, idle, retention, interval, metrics, System::nanoTime);
    }

    /** @param nanoClock the alert pacing's clock */
    MonitorProcessor(RequestMonitor monitor, boolean withText, boolean commitOnAlert, Duration idle, Duration retention,
                     Duration interval, GroundstateMetrics metrics, LongSupplier nanoClock) {
        this.alertCommits = new AlertCommits(nanoClock);
        this.metrics = metrics;
        this.monitor = monitor;
        this.withText = withText;
        this.commitOnAlert = commitOnAlert;
        this.idleMs = idle.toMillis();
        this.activityStepMs = Math.min(1_000, idleMs / 100);
        this.retentionMs = retention.toMillis();
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.task = context.taskId().toString();
        this.states = context.getStateStore(GroundstateTopology.STATE_STORE);
        states.beforeEachCommit(alertCommits::committing);
        this.activity = new RequestActivity(context.getStateStore(GroundstateTopology.ACTIVITY_STORE),
                context.getStateStore(GroundstateTopology.EXPIRY_STORE));
        activityWritten.clear(); // a revived task's stores lost what it wrote since the last commit
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, DecodeProcessor.Decoded> record) {
        DecodeProcessor.Decoded decoded = record.value();
        String id = decoded.event().requestId();
        RequestState state;
        try {
            state = load(id);
        } catch (RequestState.UnreadableState e) {
            // Never misread: the state stays as stored (a release that reads it can take over), the event goes to
            // the dead letters with the reason.
            LOG.warn("{}; an event of request {} goes to the dead letters", e.getMessage(), id);
            deadLetter(record, decoded, e.getMessage(), DeadLetters.STATE_UNREADABLE);
            return;
        } catch (RuntimeException e) {
            LOG.warn("cannot read the state of request {}: {}", id, e.toString());
            deadLetter(record, decoded, "monitor failed: " + e, DeadLetters.MONITOR_FAILED);
            return;
        }
        MonitorStep.Outcome outcome = MonitorStep.apply(monitor, state, decoded.event());
        if (outcome.refused()) {
            // What the event changed before a failure stays (a token appended is scored with the next event). A
            // request refused at an input limit is not activity either: one that only floods still ends at its
            // idle timeout.
            states.put(id, state);
            if (outcome.refusal().failed()) {
                LOG.warn("{} (an event of request {})", outcome.refusal().reason(), id);
            }
            deadLetter(record, decoded, outcome.refusal().reason(), outcome.refusal().code());
            return;
        }
        List<MonitorOutput> outputs = outcome.outputs();
        metrics.eventIn(decoded.kind());
        states.put(id, state);
        recordActivity(id, state.finished, context.currentSystemTimeMs());
        emit(id, outputs, record.timestamp());
        maybeCommitForAlerts();
    }

    private void recordActivity(String id, boolean finished, long now) {
        RequestActivity.Activity last = activityWritten.get(id);
        if (last == null) {
            last = activity.get(id);
        }
        long since = last == null ? Long.MAX_VALUE : now - last.lastMs();
        if (since >= activityStepMs || since < 0 || finished != last.finished()) {
            RequestActivity.Activity next = new RequestActivity.Activity(now, finished);
            activity.put(id, last, next);
            activityWritten.put(id, next);
        }
    }

    private void deadLetter(Record<String, DecodeProcessor.Decoded> record, DecodeProcessor.Decoded decoded, String reason,
                            String code) {
        Record<String, Object> out = new Record<>(decoded.event().requestId(), decoded.raw(),
                record.timestamp(), new RecordHeaders(record.headers().toArray()));
        DeadLetters.annotate(out.headers(), DeadLetters.STAGE_MONITOR, reason, code, context.recordMetadata().orElse(null));
        context.forward(out, GroundstateTopology.MONITOR_DLQ_SINK);
        metrics.deadLetter(DeadLetters.STAGE_MONITOR, code);
    }

    private RequestState load(String id) {
        RequestState s = states.get(id);
        return s == null ? new RequestState() : s;
    }

    private void forget(String id) {
        states.delete(id);
        RequestActivity.Activity last = activityWritten.remove(id);
        activity.delete(id, last != null ? last : activity.get(id));
    }

    @Override
    public void close() {
        if (task != null) {
            metrics.taskClosed(task);
        }
    }

    private void emit(String id, List<MonitorOutput> outputs, long timestamp) {
        boolean alerted = false;
        for (MonitorOutput o : outputs) {
            SpecificRecord r = OutputRecords.toRecord(o, withText);
            alerted |= o instanceof MonitorOutput.Alert;
            String sink = o instanceof MonitorOutput.Alert ? GroundstateTopology.ALERTS_SINK
                    : o instanceof MonitorOutput.SpanScore ? GroundstateTopology.SPANS_SINK
                    : GroundstateTopology.VERDICTS_SINK;
            context.forward(new Record<>(id, r, timestamp), sink);
        }
        if (alerted && commitOnAlert) {
            alertCommits.alerted();
        }
        metrics.outputs(outputs, context.currentSystemTimeMs());
    }

    /**
     * Asks for a commit when an alert waits for one and the last commit is far enough back: Kafka Streams then
     * commits after the records in hand instead of at commit.interval.ms (measured: that wait was most of an
     * alert's latency at half load).
     */
    private void maybeCommitForAlerts() {
        if (commitOnAlert && alertCommits.askNow(this::meanCommitMs)) {
            context.commit();
        }
    }

    /** The stream thread's mean commit time lately, from Kafka Streams' own sensor; NaN while it has none. */
    private double meanCommitMs() {
        if (commitLatency == null) {
            String thread = Thread.currentThread().getName();
            for (Map.Entry<MetricName, ? extends Metric> e : context.metrics().metrics().entrySet()) {
                MetricName n = e.getKey();
                if (n.name().equals("commit-latency-avg") && n.group().equals("stream-thread-metrics")
                        && thread.equals(n.tags().get("thread-id"))) {
                    commitLatency = e.getValue();
                    break;
                }
            }
            if (commitLatency == null) {
                return Double.NaN;
            }
        }
        return commitLatency.metricValue() instanceof Double d ? d : Double.NaN;
    }

    /** Ends idle requests with a verdict, and forgets finished ones after the retention. */
    private void sweep(long now) {
        for (RequestActivity.Due due : activity.due(now - idleMs - activityStepMs, now - retentionMs)) {
            if (due.finished() || states.get(due.id()) == null) {
                forget(due.id());
                continue;
            }
            RequestState state;
            List<MonitorOutput> outputs;
            try {
                state = load(due.id());
                outputs = MonitorStep.expireIdle(monitor, state);
            } catch (RuntimeException e) {
                LOG.warn("monitor failed to expire request {}: {}; its state is dropped", due.id(), e.toString());
                forget(due.id());
                continue;
            }
            states.put(due.id(), state);
            recordActivity(due.id(), state.finished, now);
            emit(due.id(), outputs, now);
        }
        maybeCommitForAlerts();
        metrics.requests(task, activity.active(), activity.stored());
    }
}
