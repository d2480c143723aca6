package io.groundstate.detectors.calib;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The calibrated combiner, three models of the same form (standardised features, a logistic model):
 * P(sentence unsupported) from a sentence's features, which raises alerts; P(token unsupported),
 * which localises the unsupported words; and P(response hallucinated) from the response's
 * aggregated evidence, which decides the verdict.
 * Logistic because it is monotone in each feature, its weights read as evidence, and it fits in
 * milliseconds on a few thousand labeled sentences. Weights and thresholds are one versioned JSON file.
 */
public final class Combiner {
    public static final String DEFAULT_RESOURCE = "io/groundstate/detectors/combiner-weights.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One logistic model over named features. */
    public record Model(@JsonProperty("features") List<String> features,
                        @JsonProperty("mean") double[] mean,
                        @JsonProperty("scale") double[] scale,
                        @JsonProperty("weights") double[] weights,
                        @JsonProperty("bias") double bias) {

        int[] resolve(List<String> names) {
            int n = features.size();
            if (mean.length != n || scale.length != n || weights.length != n) {
                throw new IllegalArgumentException("weights file: features, mean, scale and weights differ in length");
            }
            int[] index = new int[n];
            for (int i = 0; i < n; i++) {
                index[i] = Features.index(names, features.get(i));
            }
            return index;
        }

        double probability(double[] x, int[] index) {
            double z = bias;
            for (int i = 0; i < index.length; i++) {
                z += weights[i] * (x[index[i]] - mean[i]) / scale[i];
            }
            return 1 / (1 + Math.exp(-z));
        }
    }

    /** The file's form. */
    public record Weights(@JsonProperty("version") String version,
                          @JsonProperty("encoder") String encoder,
                          @JsonProperty("fitted_on") String fittedOn,
                          @JsonProperty("sentence") Model sentence,
                          @JsonProperty("response") Model response,
                          @JsonProperty("token") Model token,
                          @JsonProperty("thresholds") Thresholds thresholds,
                          @JsonProperty("span_granularity") Localisation.Granularity spanGranularity) {
    }

    private final Weights w;
    private final int[] sentenceIndex;
    private final int[] responseIndex;
    private final int[] tokenIndex;

    public Combiner(Weights w) {
        if (w.sentence() == null || w.response() == null || w.token() == null || w.thresholds() == null) {
            throw new IllegalArgumentException("weights file needs sentence, response, token and thresholds");
        }
        this.w = w;
        this.sentenceIndex = w.sentence().resolve(Features.NAMES);
        this.responseIndex = w.response().resolve(Features.RESPONSE_NAMES);
        this.tokenIndex = w.token().resolve(Features.TOKEN_NAMES);
    }

    public static Combiner load(Path file) {
        try {
            return new Combiner(JSON.readValue(file.toFile(), Weights.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weights " + file + ": " + e.getMessage(), e);
        }
    }

    public static Combiner shipped() {
        try (InputStream in = Combiner.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("shipped weights " + DEFAULT_RESOURCE + " are missing");
            }
            return new Combiner(JSON.readValue(in, Weights.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void save(Path file) {
        try {
            Files.writeString(file, JSON.writeValueAsString(w) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Weights weights() {
        return w;
    }

    public Thresholds thresholds() {
        return w.thresholds();
    }

    /** How far localised spans reach; token runs when the file does not say. */
    public Localisation.Granularity granularity() {
        return w.spanGranularity() == null ? Localisation.Granularity.TOKENS : w.spanGranularity();
    }

    public String version() {
        return w.version();
    }

    /** P(sentence unsupported) from a vector in the order of {@link Features#NAMES}. */
    public double probability(double[] sentenceFeatures) {
        return w.sentence().probability(sentenceFeatures, sentenceIndex);
    }

    /** P(token unsupported) from a vector in the order of {@link Features#TOKEN_NAMES}. */
    public double tokenProbability(double[] tokenFeatures) {
        return w.token().probability(tokenFeatures, tokenIndex);
    }

    /** P(response hallucinated) from its sentences' feature vectors, in order. */
    public double responseProbability(List<double[]> sentenceFeatures) {
        return w.response().probability(Features.response(sentenceFeatures), responseIndex);
    }
}
