package io.groundstate.detectors.monitor;

import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of the per-request monitor that are not fitted.
 *
 * @param perturbationTokens content tokens removed one at a time per sentence (0 turns perturbation off)
 * @param attributeTop       tokens reported as pulling a sentence away
 * @param clusterCosine      cosine above which context sentences share a semantic state
 * @param beta               inverse temperature of the occupation softmax
 * @param maxBasisStates     context sentences kept per request
 * @param windowWords        context sentences longer than this are cut into windows
 * @param maxPendingDeltas   out-of-order deltas held before a gap is skipped
 * @param alertText          whether alerts carry the sentence text
 * @param maxContextWords    distinct context words embedded for the soft support of unsupported words
 * @param reembed            perturb by re-embedding the sentence without each token (one encoder run each)
 *                           rather than by leaving the token out of the pool of the sentence's own run
 * @param limits             what one request may send; events beyond are rejected ({@link RejectedEvent})
 * @param alertKinds         the alert kinds published; the others' evidence is still computed (features, span scores)
 */
public record MonitorConfig(int perturbationTokens, int attributeTop, double clusterCosine, double beta,
                            int maxBasisStates, int windowWords, int maxPendingDeltas, boolean alertText,
                            int maxContextWords, boolean reembed, Limits limits, Set<AlertKind> alertKinds) {

    /**
     * UNGROUNDED_SPAN only: held out, FRAGILE_STATE and DRIFT alerts were right 0.06 and 0.14 of the time
     * (docs/evaluation.md, "Alert precision"), so they are measured in every span score but not published.
     */
    public static final Set<AlertKind> DEFAULT_ALERT_KINDS = Collections.unmodifiableSet(
            EnumSet.of(AlertKind.UNGROUNDED_SPAN));

    public MonitorConfig {
        EnumSet<AlertKind> kinds = EnumSet.noneOf(AlertKind.class); // in declaration order, wherever it is printed
        kinds.addAll(alertKinds);
        alertKinds = Collections.unmodifiableSet(kinds);
    }

    /**
     * Input limits per request, so that one runaway or hostile producer cannot grow a state (and every commit that
     * writes it) without bound.
     *
     * @param maxTokenDeltas token deltas accepted (repeats are not counted)
     * @param maxChunks      distinct context chunks accepted
     * @param maxTextBytes   UTF-8 bytes of prompt, chunk and token text together
     */
    public record Limits(int maxTokenDeltas, int maxChunks, long maxTextBytes) {
        /** The defaults, as constants so that command-line options can name them. */
        public static final int DEFAULT_MAX_TOKEN_DELTAS = 65_536;
        public static final int DEFAULT_MAX_CHUNKS = 512;
        public static final long DEFAULT_MAX_TEXT_BYTES = 8L << 20;

        public Limits {
            if (maxTokenDeltas < 1 || maxChunks < 1 || maxTextBytes < 1) {
                throw new IllegalArgumentException("request limits must be at least 1");
            }
        }

        /** 65,536 deltas (a long answer one token at a time), 512 chunks, 8 MiB of text. */
        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_TOKEN_DELTAS, DEFAULT_MAX_CHUNKS, DEFAULT_MAX_TEXT_BYTES);
        }
    }

    public static MonitorConfig defaults() {
        return new MonitorConfig(8, 3, 0.55, 20, 256, 48, 256, true, 2000, false, Limits.defaults(),
                DEFAULT_ALERT_KINDS);
    }

    public MonitorConfig withAlertKinds(Set<AlertKind> kinds) {
        return new MonitorConfig(perturbationTokens, attributeTop, clusterCosine, beta, maxBasisStates, windowWords,
                maxPendingDeltas, alertText, maxContextWords, reembed, limits, kinds);
    }

    public MonitorConfig withLimits(Limits l) {
        return new MonitorConfig(perturbationTokens, attributeTop, clusterCosine, beta, maxBasisStates, windowWords,
                maxPendingDeltas, alertText, maxContextWords, reembed, l, alertKinds);
    }

    public MonitorConfig withPerturbationTokens(int n) {
        return new MonitorConfig(n, attributeTop, clusterCosine, beta, maxBasisStates, windowWords,
                maxPendingDeltas, alertText, maxContextWords, reembed, limits, alertKinds);
    }

    public MonitorConfig withReembed(boolean exact) {
        return new MonitorConfig(perturbationTokens, attributeTop, clusterCosine, beta, maxBasisStates, windowWords,
                maxPendingDeltas, alertText, maxContextWords, exact, limits, alertKinds);
    }
}
