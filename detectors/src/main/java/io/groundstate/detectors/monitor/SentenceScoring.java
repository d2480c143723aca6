package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.CALIBRATED_ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.CUSUM;
import static io.groundstate.detectors.calib.SentenceFeature.DRIFT_ANGLE;
import static io.groundstate.detectors.calib.SentenceFeature.ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.EXCESS_JUMP;
import static io.groundstate.detectors.calib.SentenceFeature.FRAGILITY;
import static io.groundstate.detectors.calib.SentenceFeature.GAIN;
import static io.groundstate.detectors.calib.SentenceFeature.INDIRECT_TRANSITION;
import static io.groundstate.detectors.calib.SentenceFeature.LENGTH;
import static io.groundstate.detectors.calib.SentenceFeature.MARGIN;
import static io.groundstate.detectors.calib.SentenceFeature.MEAN_ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.MIN_LOGPROB;
import static io.groundstate.detectors.calib.SentenceFeature.NULL_STATE;
import static io.groundstate.detectors.calib.SentenceFeature.POSITION;
import static io.groundstate.detectors.calib.SentenceFeature.RECORD_CONFLICTS;
import static io.groundstate.detectors.calib.SentenceFeature.SOFT_UNSUPPORTED;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NAMES;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NUMBERS;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_RATIO;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_WORDS;
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
import io.groundstate.detectors.physics.Drift;
import io.groundstate.detectors.physics.Grounding;
import io.groundstate.detectors.physics.Perturbation;
import io.groundstate.detectors.physics.RealityBasis;
import io.groundstate.detectors.physics.RecordPolarity;
import io.groundstate.detectors.physics.SemanticStates;
import io.groundstate.detectors.physics.Uncertainty;
import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.vec.Vectors;
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
                           RealityBasis.Result reality, List<ContentToken> conflicts, List<ContentToken> perturbed,
                           int vectorAt, float[] appVector, float[][] without) {
    }

    /** Scores the sentences {@code todo} against the request's basis, in order, emitting span scores and alerts. */
    void score(RequestState state, List<SentenceRecord> todo, List<MonitorOutput> out) {
        Basis basis = state.basis;
        ContextIndex index = context.contextIndex(state);
        Set<String> vocab = index.vocabulary;
        RecordPolarity record = index.record;
        List<String> batch = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (SentenceRecord r : todo) {
            String text = state.response.substring(r.start, r.end);
            List<ContentToken> tokens = Lexicon.contentTokens(text);
            RealityBasis.Result reality = RealityBasis.check(tokens, vocab);
            List<ContentToken> perturbed = Perturbation.candidates(tokens, reality.unsupported(),
                    config.perturbationTokens());
            float[] appVector = appVector(state, r);
            int at = batch.size();
            float[][] without = null;
            if (!perturbed.isEmpty() && !config.reembed()) {
                // The sentence and each perturbation from one encoder call (one model run where the encoder can).
                without = encoder.embedWithout(text, perturbed.stream().map(t -> new int[] {t.start(), t.end()})
                        .toList());
            } else {
                if (appVector == null) {
                    batch.add(text);
                }
                for (ContentToken t : perturbed) {
                    batch.add(Perturbation.without(text, t));
                }
            }
            pending.add(new Pending(r, text, tokens, reality, record.conflicts(text, tokens), perturbed, at,
                    appVector, without));
        }
        float[][] vs = batch.isEmpty() ? new float[0][] : encoder.embed(batch);
        Map<String, Double> soft = context.softSupport(state,
                pending.stream().flatMap(x -> x.reality.unsupported().stream()).toList());
        Thresholds th = combiner.thresholds();
        for (Pending p : pending) {
            int k = p.vectorAt;
            float[] s = p.appVector != null ? p.appVector : p.without != null ? p.without[0] : vs[k++];
            Grounding.Result g = Grounding.score(s, basis, config.beta());
            float[][] perturbedVectors = new float[p.perturbed.size()][];
            for (int i = 0; i < perturbedVectors.length; i++) {
                perturbedVectors[i] = p.without != null ? p.without[i + 1] : vs[k++];
            }
            double[] perturbedEnergies = basis.energies(perturbedVectors);
            Perturbation.Result pr = Perturbation.result(g.energy(), perturbedEnergies, p.perturbed,
                    config.attributeTop());
            double calibrated = g.energy() - basis.zeroPoint();
            int z = SemanticStates.assign(s, basis, basis.zeroPoint() + th.nullEnergy(), g.energy());
            String transition;
            double excessJump;
            boolean indirect;
            if (state.previousVector == null) {
                transition = "first";
                excessJump = 0;
                indirect = z == SemanticStates.NULL;
            } else {
                double jump = 1 - Vectors.cos(s, state.previousVector);
                double licensed = SemanticStates.licensed(state.previousState, z, basis);
                excessJump = Double.isNaN(licensed) ? jump : Math.max(0, jump - licensed);
                indirect = Double.isNaN(licensed) || jump > licensed + 2 * Math.max(basis.zeroPoint(), 0.05);
                transition = indirect ? "indirect" : "direct";
            }
            state.cusum = Drift.cusum(state.cusum, calibrated, th.driftKappa());
            state.runningSum = add(state.runningSum, s);
            double driftAngle = basis.centroid() == null ? 0
                    : Vectors.angle(Vectors.normalize(state.runningSum), basis.centroid());
            Uncertainty.Result u = Uncertainty.over(uncertaintyStats(state), p.record.start, p.record.end);

            double[] f = new double[SentenceFeature.values().length];
            ENERGY.set(f, g.energy());
            CALIBRATED_ENERGY.set(f, calibrated);
            MARGIN.set(f, g.margin());
            ENTROPY.set(f, g.entropy());
            GAIN.set(f, pr.gain());
            FRAGILITY.set(f, pr.fragility());
            UNSUPPORTED_RATIO.set(f, p.reality.ratio());
            UNSUPPORTED_NUMBERS.set(f, Math.log1p(p.reality.unsupportedNumbers()));
            UNSUPPORTED_NAMES.set(f, Math.log1p(p.reality.unsupportedNames()));
            UNSUPPORTED_WORDS.set(f, Math.log1p(p.reality.unsupportedWords()));
            NULL_STATE.set(f, z == SemanticStates.NULL ? 1 : 0);
            INDIRECT_TRANSITION.set(f, indirect ? 1 : 0);
            EXCESS_JUMP.set(f, excessJump);
            CUSUM.set(f, state.cusum);
            DRIFT_ANGLE.set(f, driftAngle);
            MIN_LOGPROB.set(f, u.present() ? u.minLogprob() : 0);
            MEAN_ENTROPY.set(f, u.present() ? u.meanEntropy() : 0);
            LENGTH.set(f, Math.log1p(p.tokens.size()));
            POSITION.set(f, Math.log1p(p.record.index));
            double softUnsupported = 0;
            for (ContentToken t : p.reality.unsupported()) {
                softUnsupported += 1 - soft.getOrDefault(t.surface().toLowerCase(Locale.ROOT), 0.0);
            }
            SOFT_UNSUPPORTED.set(f, softUnsupported);
            RECORD_CONFLICTS.set(f, Math.log1p(p.conflicts.size()));

            double prob = combiner.probability(f);
            SentenceRecord r = p.record;
            r.probability = prob;
            r.features = f;
            r.flagged = prob >= th.sentence();
            r.scoredWith = state.basisVersion;
            state.previousVector = s;
            state.previousState = z;

            List<Attribution> attributed = attributions(p, pr, r.start);
            // The answer's unsupported share so far: the verdict's own aggregate, over the sentences up to this one.
            double shareSoFar = Features.response(state.sentences.stream()
                    .filter(x -> x.features != null && x.index <= r.index).map(x -> x.features).toList())
                    [ResponseFeature.UNSUPPORTED_SHARE.ordinal()];
            List<TokenEvidence> tokens = tokenEvidence(p, pr, f, r.start, shareSoFar, soft, !record.isEmpty());
            double[] tokenProbabilities = Localisation.withSentenceProbability(tokens, prob).stream()
                    .mapToDouble(combiner::tokenProbability).toArray();
            List<Attribution> spans = Localisation.spans(state.response, tokens, tokenProbabilities, th.token(),
                    th.proseToken(), combiner.granularity(), r.start, r.end);
            r.spans = spans;
            BasisState nearest = basis.states().get(g.nearest());
            out.add(new MonitorOutput.SpanScore(state.requestId, state.app, state.model, r.index, r.start, r.end,
                    p.text, f, SemanticStates.name(z), transition, prob, r.flagged, attributed, spans, tokens,
                    nearest.chunkId(), g.nearestSimilarity(), r.eventTime));
            alerts.onScored(state, out, r, p.text, prob, pr.gain(), attributed, nearest.chunkId(),
                    g.nearestSimilarity());
        }
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
            out.add(new TokenEvidence(t.surface(), offset + t.start(), offset + t.end(), f));
        }
        return out;
    }

    /** Explanation: record conflicts, then lexically unsupported tokens, then those whose removal most lowered E. */
    private List<Attribution> attributions(Pending p, Perturbation.Result pr, int offset) {
        List<Attribution> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
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

    private static List<Uncertainty.TokenStats> uncertaintyStats(RequestState state) {
        List<Uncertainty.TokenStats> out = new ArrayList<>(state.marks.size());
        for (RequestState.Mark m : state.marks) {
            out.add(new Uncertainty.TokenStats(m.start, m.end, m.logprob, m.entropy));
        }
        return out;
    }

    private static float[] add(float[] acc, float[] v) {
        float[] out = acc == null ? new float[v.length] : acc.clone();
        for (int i = 0; i < v.length; i++) {
            out[i] += v[i];
        }
        return out;
    }
}
