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
 * The calibrated combiner: standardised features, a logistic model, P(sentence unsupported).
 * Logistic because it is monotone in each feature, its weights read as evidence, and it fits in
 * milliseconds on a few thousand labeled sentences. Weights and thresholds are a versioned JSON file.
 */
public final class Combiner {
    public static final String DEFAULT_RESOURCE = "io/groundstate/detectors/combiner-weights.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The file's form. */
    public record Weights(@JsonProperty("version") String version,
                          @JsonProperty("encoder") String encoder,
                          @JsonProperty("fitted_on") String fittedOn,
                          @JsonProperty("features") List<String> features,
                          @JsonProperty("mean") double[] mean,
                          @JsonProperty("scale") double[] scale,
                          @JsonProperty("weights") double[] weights,
                          @JsonProperty("bias") double bias,
                          @JsonProperty("thresholds") Thresholds thresholds) {
    }

    private final Weights w;
    private final int[] index;

    public Combiner(Weights w) {
        int n = w.features().size();
        if (w.mean().length != n || w.scale().length != n || w.weights().length != n) {
            throw new IllegalArgumentException("weights file: features, mean, scale and weights differ in length");
        }
        this.w = w;
        this.index = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = Features.index(w.features().get(i));
        }
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

    public String version() {
        return w.version();
    }

    public double probability(double[] features) {
        double z = w.bias();
        for (int i = 0; i < index.length; i++) {
            double x = features[index[i]];
            z += w.weights()[i] * (x - w.mean()[i]) / w.scale()[i];
        }
        return 1 / (1 + Math.exp(-z));
    }

    /** A response is as unsupported as its least supported sentence. */
    public static double responseProbability(double[] sentenceProbabilities) {
        double max = 0;
        for (double p : sentenceProbabilities) {
            max = Math.max(max, p);
        }
        return max;
    }
}
