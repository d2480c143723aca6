package io.groundstate.detectors.physics;

import io.groundstate.detectors.vec.Vectors;
import java.util.ArrayList;
import java.util.List;

/** Agglomerative clustering of unit vectors (average linkage) until no pair is more similar than a threshold. */
public final class Clustering {
    private Clustering() {
    }

    /** Cluster index of each vector; clusters are numbered by their first member, so the result is deterministic. */
    public static int[] agglomerate(float[][] vs, double cosThreshold) {
        int n = vs.length;
        double[][] sim = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                sim[i][j] = Vectors.cos(vs[i], vs[j]);
                sim[j][i] = sim[i][j];
            }
        }
        List<List<Integer>> clusters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> c = new ArrayList<>();
            c.add(i);
            clusters.add(c);
        }
        while (clusters.size() > 1) {
            double best = -2;
            int bi = -1;
            int bj = -1;
            for (int i = 0; i < clusters.size(); i++) {
                for (int j = i + 1; j < clusters.size(); j++) {
                    double s = averageLink(clusters.get(i), clusters.get(j), sim);
                    if (s > best) {
                        best = s;
                        bi = i;
                        bj = j;
                    }
                }
            }
            if (best < cosThreshold) {
                break;
            }
            clusters.get(bi).addAll(clusters.remove(bj));
        }
        clusters.sort((a, b) -> Integer.compare(a.stream().min(Integer::compare).orElse(0),
                b.stream().min(Integer::compare).orElse(0)));
        int[] label = new int[n];
        for (int k = 0; k < clusters.size(); k++) {
            for (int i : clusters.get(k)) {
                label[i] = k;
            }
        }
        return label;
    }

    private static double averageLink(List<Integer> a, List<Integer> b, double[][] sim) {
        double s = 0;
        for (int i : a) {
            for (int j : b) {
                s += sim[i][j];
            }
        }
        return s / (a.size() * b.size());
    }

    /** Normalised centroid of each cluster. */
    public static float[][] centroids(float[][] vs, int[] label) {
        int k = 0;
        for (int l : label) {
            k = Math.max(k, l + 1);
        }
        float[][] out = new float[k][];
        for (int c = 0; c < k; c++) {
            double[] w = new double[vs.length];
            for (int i = 0; i < vs.length; i++) {
                w[i] = label[i] == c ? 1 : 0;
            }
            out[c] = Vectors.weightedCentroid(vs, w);
        }
        return out;
    }
}
