package io.groundstate.streams.topology;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.RejectedEvent;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.schemas.EventCodec;
import io.groundstate.schemas.SchemaException;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import java.util.List;

/**
 * Fuzz tests of the decoders (Jazzer). The property: any bytes either decode to an event that the monitor takes
 * without failing, or are refused with a {@link SchemaException} (a dead letter with its reason); never another
 * exception, a hang or a crash. Under {@code mvn test} they replay their seeds (src/test/resources/.../Inputs);
 * {@code JAZZER_FUZZ=1 mvn -pl streams test-compile surefire:test@decoder-fuzz} fuzzes, for up to maxDuration.
 */
class DecoderFuzzTest {
    private static final RequestMonitor MONITOR = new RequestMonitor(new TinyEncoder(), Combiner.shipped(),
            MonitorConfig.defaults().withLimits(new MonitorConfig.Limits(64, 8, 16_384)), () -> 0L);

    @FuzzTest(maxDuration = "5m")
    void anyBytesDecodeOrAreRefusedWithAReason(byte[] bytes) {
        MonitorEvent event;
        try {
            event = EventMapping.parse(bytes, 64 * 1024).monitorEvent();
        } catch (SchemaException refused) {
            if (refused.reason() == null || refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a reason", refused);
            }
            return;
        }
        // What decodes round-trips through both wire forms to the same event, and the monitor takes it.
        var schema = EventMapping.toSchema(event);
        if (!EventMapping.toMonitor(EventCodec.decode(EventCodec.toAvro(schema))).equals(event)
                && !(event instanceof MonitorEvent.ContextChunk) && !(event instanceof MonitorEvent.SpanEmbedding)) {
            throw new AssertionError("Avro round trip changed " + event);
        }
        try {
            MONITOR.process(new RequestState(), event);
        } catch (RejectedEvent limited) {
            // a documented outcome: dead-lettered with the limit's code
        }
    }

    /** Vectors from the characters alone: the fuzz target is the decoding, not the model. */
    static final class TinyEncoder implements Encoder {
        @Override
        public String id() {
            return "tiny/fuzz";
        }

        @Override
        public int dimension() {
            return 4;
        }

        @Override
        public float[][] embed(List<String> texts) {
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                String t = texts.get(i);
                out[i] = new float[] {1, t.length() % 7, t.isEmpty() ? 0 : t.charAt(0) % 5, t.hashCode() % 3};
                float n = 0;
                for (float x : out[i]) {
                    n += x * x;
                }
                for (int k = 0; k < 4; k++) {
                    out[i][k] /= (float) Math.sqrt(n);
                }
            }
            return out;
        }
    }
}
