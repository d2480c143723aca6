package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.CALIBRATED_ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_RATIO;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.calib.ResponseFeature;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.TokenFeature;
import io.groundstate.detectors.calib.Localisation;
import io.groundstate.detectors.calib.Localisation.TokenEvidence;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.text.Attribution;
import io.groundstate.detectors.monitor.RequestState.SentenceRecord;
import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.BasisState;
import io.groundstate.detectors.physics.Contradiction;
import io.groundstate.detectors.physics.Grounding;
import io.groundstate.detectors.physics.Perturbation;
import io.groundstate.detectors.physics.RealityBasis;
import io.groundstate.detectors.physics.SemanticStates;
import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.text.Preamble;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scores generated sentences against the request's context: for each, the grounding energy and margin over the
 * basis states, the perturbation gain and fragility, the reality-basis check of its numbers, names and words with
 * soft support, the record polarity check, the semantic state and transition, drift, and the sampling
 * uncertainty; then the combiner's probability, the localised spans, the span score and what the alert policy
 * raises on it. The features are the columns of {@code SentenceFeature} and {@code TokenFeature}.
 */
final class SentenceScoring {
    private final Encoder encoder;
    private final Combiner combiner;
    private final MonitorConfig config;
    private final ContextModel context;
    private final AlertPolicy alerts;

    SentenceScoring(Encoder encoder, Combiner combiner, MonitorConfig config, ContextModel context, AlertPolicy alerts) {
        this.encoder = encoder;
        this.combiner = combiner;
        this.config = config;
        this.context = context;
        this.alerts = alerts;
    }

    private record Pending(SentenceRecord record, String text, List<ContentToken> tokens,
                           RealityBasis.Result reality, List<ContentToken> conflicts, Contradiction.Result edits,
                           List<ContentToken> perturbed,
                           int vectorAt, float[] appVector, float[][] without) {
    }

    /** What each detector family found about one sentence. */
    private record Evidence(GroundingEvidence grounding, PerturbationEvidence perturbation,
                            TransitionEvidence transition, DriftEvidence drift, LexicalEvidence lexical,
                            ContradictionEvidence contradiction, ShapeEvidence shape) {
        double[] features() {
            double[] f = new double[SentenceFeature.values().length];
            for (SentenceEvidence e : List.of(grounding, perturbation, transition, drift, lexical, contradiction,
                    shape)) {
                e.writeTo(f);
            }
            return f;
        }
    }

    /** Scores the sentences {@code todo} against the request's basis, in order, emitting span scores and alerts. */
    void score(RequestState state, List<SentenceRecord> todo, List<MonitorOutput> out) {
        ContextIndex index = context.contextIndex(state);
        List<String> batch = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (SentenceRecord r : todo) {
            pending.add(prepare(state, r, index, batch));
        }
        float[][] vs = batch.isEmpty() ? new float[0][] : encoder.embed(batch);
        Map<String, Double> soft = context.softSupport(state,
                pending.stream().flatMap(x -> x.reality.unsupported().stream()).toList());
        for (Pending p : pending) {
            int k = p.vectorAt;
            float[] s = p.appVector != null ? p.appVector : p.without != null ? p.without[0] : vs[k++];
            float[][] withoutVectors = new float[p.perturbed.size()][];
            for (int i = 0; i < withoutVectors.length; i++) {
                withoutVectors[i] = p.without != null ? p.without[i + 1] : vs[k++];
            }
            Evidence evidence = evidence(state, p, s, withoutVectors, soft);
            state.cusum = evidence.drift.cusum();
            state.runningSum = evidence.drift.runningSum();
            state.previousVector = s;
            state.previousState = evidence.transition.state();
            publish(state, p, evidence, soft, !index.record.isEmpty(), out);
        }
    }

    /**
     * The sentence's tokens, lexical check and perturbations; the texts it needs embedded go into {@code batch},
     * unless one encoder call gives the sentence with each perturbation (one model run where the encoder can).
     */
    private Pending prepare(RequestState state, SentenceRecord r, ContextIndex index, List<String> batch) {
        String text = state.response.substring(r.start, r.end);
        List<ContentToken> tokens = Lexicon.contentTokens(text);
        RealityBasis.Result reality = RealityBasis.check(tokens, index.vocabulary);
        List<ContentToken> perturbed = Perturbation.candidates(tokens, reality.unsupported(),
                config.perturbationTokens());
        float[] appVector = appVector(state, r);
        int at = batch.size();
        float[][] without = null;
        if (!perturbed.isEmpty() && !config.reembed()) {
            without = encoder.embedWithout(text, perturbed.stream().map(t -> new int[] {t.start(), t.end()}).toList());
        } else {
            if (appVector == null) {
                batch.add(text);
            }
            for (ContentToken t : perturbed) {
                batch.add(Perturbation.without(text, t));
            }
        }
        return new Pending(r, text, tokens, reality, index.record.conflicts(text, tokens),
                index.contradiction.check(text, tokens, reality.unsupported()), perturbed, at, appVector, without);
    }

    private Evidence evidence(RequestState state, Pending p, float[] s, float[][] withoutVectors,
                              Map<String, Double> soft) {
        Basis basis = state.basis;
        Thresholds th = combiner.thresholds();
        GroundingEvidence grounding = GroundingEvidence.of(s, basis, config.beta());
        return new Evidence(grounding,
                PerturbationEvidence.of(grounding.energy(), withoutVectors, basis, p.perturbed, config.attributeTop()),
                TransitionEvidence.of(s, grounding.energy(), basis.zeroPoint() + th.nullEnergy(), state.previousVector,
                        state.previousState, basis),
                DriftEvidence.of(state.cusum, grounding.calibratedEnergy(), th.driftKappa(), state.runningSum, s,
                        basis.centroid()),
                LexicalEvidence.of(p.reality, p.conflicts, soft),
                new ContradictionEvidence(p.edits),
                ShapeEvidence.of(state.marks, p.record.start, p.record.end, p.tokens.size(), p.record.index,
                        Preamble.is(p.text)));
    }

    /** The combiner's probability, the localised spans, the span score and what the alert policy raises on it. */
    private void publish(RequestState state, Pending p, Evidence evidence, Map<String, Double> soft,
                         boolean structuredContext, List<MonitorOutput> out) {
        double[] f = evidence.features();
        Thresholds th = combiner.thresholds();
        double prob = combiner.probability(f);
        SentenceRecord r = p.record;
        r.probability = prob;
        r.features = f;
        r.flagged = AlertRules.flagged(th, prob, f);
        r.scoredWith = state.basisVersion;
        Perturbation.Result pr = evidence.perturbation.result();
        Grounding.Result g = evidence.grounding.grounding();

        List<Attribution> attributed = attributions(p, pr, r.start);
        // The answer's unsupported share so far: the verdict's own aggregate, over the sentences up to this one.
        double shareSoFar = Features.response(state.sentences.stream()
                .filter(x -> x.features != null && x.index <= r.index).map(x -> x.features).toList())
                [ResponseFeature.UNSUPPORTED_SHARE.ordinal()];
        List<TokenEvidence> tokens = tokenEvidence(p, pr, f, r.start, shareSoFar, soft, structuredContext);
        double[] tokenProbabilities = Localisation.withSentenceProbability(tokens, prob).stream()
                .mapToDouble(combiner::tokenProbability).toArray();
        r.spans = Localisation.spans(state.response, tokens, tokenProbabilities, th.token(), th.proseToken(),
                combiner.granularity(), r.start, r.end);
        BasisState nearest = state.basis.states().get(g.nearest());
        out.add(new MonitorOutput.SpanScore(state.requestId, state.app, state.model, r.index, r.start, r.end,
                p.text, f, SemanticStates.name(evidence.transition.state()), evidence.transition.transition(), prob,
                r.flagged, attributed, r.spans, tokens, nearest.chunkId(), g.nearestSimilarity(), r.eventTime));
        alerts.onScored(state, out, r, p.text, prob, attributed, nearest.chunkId(), g.nearestSimilarity());
    }

    /** Each content token's evidence; the sentence's probability is filled in by {@link Localisation}. */
    private static List<TokenEvidence> tokenEvidence(Pending p, Perturbation.Result pr, double[] sentence, int offset,
                                                     double answerShareSoFar, Map<String, Double> soft,
                                                     boolean structuredContext) {
        Set<Integer> unsupported = new HashSet<>();
        p.reality.unsupported().forEach(t -> unsupported.add(t.start()));
        List<TokenEvidence> out = new ArrayList<>(p.tokens.size());
        for (int k = 0; k < p.tokens.size(); k++) {
            ContentToken t = p.tokens.get(k);
            int neighbours = (k > 0 && unsupported.contains(p.tokens.get(k - 1).start()) ? 1 : 0)
                    + (k + 1 < p.tokens.size() && unsupported.contains(p.tokens.get(k + 1).start()) ? 1 : 0);
            int perturbedAt = p.perturbed.indexOf(t);
            double[] f = new double[TokenFeature.values().length];
            boolean lexicallyUnsupported = unsupported.contains(t.start());
            TokenFeature.UNSUPPORTED.set(f, lexicallyUnsupported ? 1 : 0);
            TokenFeature.NUMBER.set(f, t.kind() == ContentToken.Kind.NUMBER ? 1 : 0);
            TokenFeature.NAME.set(f, t.kind() == ContentToken.Kind.NAME ? 1 : 0);
            TokenFeature.DELTA.set(f, perturbedAt >= 0 && perturbedAt < pr.deltas().length ? pr.deltas()[perturbedAt] : 0);
            TokenFeature.PERTURBED.set(f, perturbedAt >= 0 ? 1 : 0);
            TokenFeature.LOG_LENGTH.set(f, Math.log1p(t.surface().length()));
            TokenFeature.UNSUPPORTED_NEIGHBOURS.set(f, neighbours);
            TokenFeature.SENTENCE_UNSUPPORTED_RATIO.set(f, UNSUPPORTED_RATIO.of(sentence));
            TokenFeature.SENTENCE_CALIBRATED_ENERGY.set(f, CALIBRATED_ENERGY.of(sentence));
            TokenFeature.ANSWER_UNSUPPORTED_SHARE.set(f, answerShareSoFar);
            TokenFeature.SOFT_SUPPORT.set(f, !lexicallyUnsupported ? 1
                    : soft.getOrDefault(t.surface().toLowerCase(Locale.ROOT), 0.0));
            TokenFeature.RECORD_CONFLICT.set(f, p.conflicts.contains(t) ? 1 : 0);
            TokenFeature.STRUCTURED_CONTEXT.set(f, structuredContext ? 1 : 0);
            TokenFeature.SUBSTITUTED.set(f, p.edits.substituted().contains(t) ? 1 : 0);
            TokenFeature.UNSUPPORTED_CLAUSE.set(f, p.edits.unsupportedClause().contains(t) ? 1 : 0);
            out.add(new TokenEvidence(t.surface(), offset + t.start(), offset + t.end(), f));
        }
        return out;
    }

    /**
     * Explanation: substituted tokens and record conflicts, then lexically unsupported tokens, then those whose
     * removal most lowered E.
     */
    private List<Attribution> attributions(Pending p, Perturbation.Result pr, int offset) {
        List<Attribution> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (ContentToken t : p.edits.substituted()) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        for (ContentToken t : p.conflicts) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        for (ContentToken t : p.reality.unsupported()) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        for (ContentToken t : pr.attributed()) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        return out;
    }

    private static float[] appVector(RequestState state, SentenceRecord r) {
        for (RequestState.AppSpan s : state.spanEmbeddings) {
            if (s.start == r.start && s.end == r.end) {
                return s.embedding;
            }
        }
        return null;
    }

}
