package io.groundstate.detectors.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.vec.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusteringTest {
    /** Quantised and repeated vectors, so that many pairs tie exactly: the merge order on ties is where a shortcut would differ. */
    @Test
    void mergesThePairsThatAScanOfEveryPairMerges() {
        Random random = new Random(5);
        double[] thresholds = {-1, 0, 0.3, 0.55, 0.9};
        int merged = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + random.nextInt(trial < 300 ? 40 : 120);
            int dims = 2 + random.nextInt(6);
            float[][] vs = new float[n][];
            int pool = trial % 2 == 0 ? 2 + random.nextInt(4) : n; // repeated vectors: whole clusters tie
            for (int i = 0; i < n; i++) {
                if (i >= pool) {
                    vs[i] = vs[random.nextInt(pool)];
                    continue;
                }
                float[] v = new float[dims];
                for (int d = 0; d < dims; d++) {
                    v[d] = random.nextInt(3) - 1;
                }
                v[random.nextInt(dims)] = 1; // never zero
                vs[i] = Vectors.normalize(v);
            }
            for (double t : thresholds) {
                int[] expected = everyPairScan(vs, t);
                int[] actual = Clustering.agglomerate(vs, t);
                assertArrayEquals(expected, actual, () -> "n " + n + ", threshold " + t + ": " + Arrays.deepToString(vs));
                merged += n - Arrays.stream(actual).max().orElse(-1) - 1;
            }
        }
        assertTrue(merged > 10_000, merged + " merges"); // the comparison covered many merges
    }

    /** The clustering as it was before rows kept their best pair: every alive pair scanned at every merge. */
    static int[] everyPairScan(float[][] vs, double cosThreshold) {
        int n = vs.length;
        // link[i][j]: the sum of member similarities between clusters i and j, kept up to date on each merge
        // (a merged cluster's sums are the sums of its parts), so the average link is one division, not a
        // pass over both clusters' members (profiled: the slowest part of building a request's basis).
        double[][] link = new double[n][n];
        for (int i = 0; i < n; i++) {
            Vectors.dots(vs[i], vs, i + 1, n, link[i]);
            for (int j = i + 1; j < n; j++) {
                link[i][j] = Vectors.clampCos(link[i][j]);
                link[j][i] = link[i][j];
            }
        }
        List<List<Integer>> members = new ArrayList<>();
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
            List<Integer> c = new ArrayList<>();
            c.add(i);
            members.add(c);
            alive[i] = true;
        }
        for (int remaining = n; remaining > 1; remaining--) {
            double best = -2;
            int bi = -1;
            int bj = -1;
            for (int i = 0; i < n; i++) {
                if (!alive[i]) {
                    continue;
                }
                int sizeI = members.get(i).size();
                for (int j = i + 1; j < n; j++) {
                    if (alive[j]) {
                        double s = link[i][j] / (sizeI * members.get(j).size());
                        if (s > best) {
                            best = s;
                            bi = i;
                            bj = j;
                        }
                    }
                }
            }
            if (best < cosThreshold) {
                break;
            }
            members.get(bi).addAll(members.get(bj));
            alive[bj] = false;
            for (int c = 0; c < n; c++) {
                link[bi][c] += link[bj][c];
                link[c][bi] = link[bi][c];
            }
        }
        // Clusters in order of their first member (each list's first element is its smallest).
        int[] label = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (alive[i]) {
                for (int m : members.get(i)) {
                    label[m] = k;
                }
                k++;
            }
        }
        return label;
    }

}
