package io.groundstate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.vec.DotKernel;
import io.groundstate.detectors.vec.ScalarDots;
import io.groundstate.detectors.vec.Vectors;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The detectors' dot-product kernels against each other in one process, on the two shapes that dominate their
 * time: one sentence against a request's basis states (grounding energies), and a sentence's unsupported words
 * against the context's words (soft support).
 */
@Command(name = "vectors", mixinStandardHelpOptions = true,
        description = {"Dot-product kernels, scalar against SIMD (the Vector API; needs --add-modules",
                "jdk.incubator.vector, which bin/groundstate passes), in one process, rounds alternating: one",
                "384-dimensional vector against 256 basis states, and 4 words against 2,000 context words."})
public final class VectorsBench implements Callable<Integer> {
    private static final int DIMENSION = 384;

    @Option(names = "--rounds", defaultValue = "7", description = "Rounds; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", description = "Print one JSON object instead of a Markdown table.")
    boolean json;

    private record Shape(String name, int queries, int rows) {
    }

    private static final Shape[] SHAPES = {new Shape("sentence vs 256 basis states", 1, 256),
        new Shape("4 words vs 2,000 context words", 4, 2000)};

    @Override
    public Integer call() {
        DotKernel scalar = new ScalarDots();
        Optional<DotKernel> simd = Vectors.simdKernel();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("benchmark", "vectors");
        out.set("machine", Machine.describe(mapper));
        ArrayNode rows = out.putArray("shapes");
        if (simd.isEmpty()) {
            System.err.println("bench vectors: no SIMD kernel in this JVM (start it with --add-modules "
                    + "jdk.incubator.vector, on a CPU with 256-bit vectors); scalar only");
        }
        Random random = new Random(42);
        for (Shape shape : SHAPES) {
            float[][] qs = unitVectors(random, shape.queries());
            float[][] matrix = unitVectors(random, shape.rows());
            int reps = Math.max(1, 4_000_000 / (shape.queries() * shape.rows()));
            double[] scalarNs = new double[rounds];
            double[] simdNs = new double[rounds];
            for (int round = -2; round < rounds; round++) { // two unmeasured rounds: the JIT
                double a = nanosPerDot(scalar, qs, matrix, reps);
                double b = simd.isPresent() ? nanosPerDot(simd.get(), qs, matrix, reps) : Double.NaN;
                if (round >= 0) {
                    scalarNs[round] = a;
                    simdNs[round] = b;
                }
            }
            ObjectNode r = rows.addObject();
            r.put("shape", shape.name());
            r.put("scalar_ns_per_dot", round1(Stats.median(scalarNs)));
            if (simd.isPresent()) {
                r.put("simd_ns_per_dot", round1(Stats.median(simdNs)));
                r.put("simd_speedup", Math.round(Stats.median(scalarNs) / Stats.median(simdNs) * 100) / 100.0);
            }
        }
        if (json) {
            System.out.println(out);
        } else {
            System.out.println("| shape | scalar ns/dot | SIMD ns/dot | SIMD speed-up |");
            System.out.println("|---|---|---|---|");
            for (var r : rows) {
                System.out.printf(Locale.ROOT, "| %s | %.1f | %s | %s |%n", r.get("shape").asText(),
                        r.get("scalar_ns_per_dot").asDouble(),
                        r.has("simd_ns_per_dot") ? r.get("simd_ns_per_dot").asText() : "-",
                        r.has("simd_speedup") ? r.get("simd_speedup").asText() + "x" : "-");
            }
        }
        return 0;
    }

    private static double nanosPerDot(DotKernel kernel, float[][] qs, float[][] rows, int reps) {
        double[][] out = new double[qs.length][rows.length];
        double sink = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            if (qs.length == 1) {
                kernel.dots(qs[0], rows, 0, rows.length, out[0]);
            } else {
                kernel.dots(qs, rows, out);
            }
            sink += out[0][i % rows.length];
        }
        long t1 = System.nanoTime();
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("NaN dot product");
        }
        return (t1 - t0) / (double) reps / (qs.length * (double) rows.length);
    }

    private static float[][] unitVectors(Random r, int n) {
        float[][] vs = new float[n][DIMENSION];
        for (float[] v : vs) {
            for (int i = 0; i < DIMENSION; i++) {
                v[i] = (float) r.nextGaussian();
            }
        }
        for (int i = 0; i < n; i++) {
            vs[i] = Vectors.normalize(vs[i]);
        }
        return vs;
    }

    private static double round1(double x) {
        return Math.round(x * 10) / 10.0;
    }
}
