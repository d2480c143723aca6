package io.groundstate.streams.topology;

import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RejectedEvent;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import java.util.List;

/**
 * One step of a host of the monitor, the same for the streaming topology and replay: an event applied to its
 * request's state gives outputs, or a dead letter with its code and reason; a request that went idle is ended
 * with {@link #IDLE_TIMEOUT}. The state keeps whatever the event changed before a failure.
 */
public final class MonitorStep {
    /** The finish reason of a request ended because no event came for the idle timeout. */
    public static final String IDLE_TIMEOUT = "idle_timeout";

    /**
     * @param outputs what the monitor emitted (empty when refused)
     * @param refusal why the event goes to the dead letters instead; null when it was applied
     */
    public record Outcome(List<MonitorOutput> outputs, Refusal refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    /**
     * @param failed true when the monitor failed (worth a log line), false when an input limit refused the event
     *               (expected under a flood, so only counted)
     */
    public record Refusal(String code, String reason, boolean failed) {
    }

    private MonitorStep() {
    }

    public static Outcome apply(RequestMonitor monitor, RequestState state, MonitorEvent event) {
        try {
            return new Outcome(monitor.process(state, event), null);
        } catch (RejectedEvent e) {
            return new Outcome(List.of(), new Refusal(e.limit().code(), e.getMessage(), false));
        } catch (RuntimeException e) {
            return new Outcome(List.of(), new Refusal(DeadLetters.MONITOR_FAILED, "monitor failed: " + e, true));
        }
    }

    /** Ends a request that stopped sending; nothing for one already finished. */
    public static List<MonitorOutput> expireIdle(RequestMonitor monitor, RequestState state) {
        return monitor.expire(state, IDLE_TIMEOUT);
    }
}
