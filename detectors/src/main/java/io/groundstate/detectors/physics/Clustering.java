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
        // Each row's most similar later cluster, its first one on a tie, so that the pair merged is the first
        // most similar pair in row order, as a scan of every pair finds it; a merge changes the rows of the two
        // merged clusters and the entries that point at them, not the rest (the scan of every pair at every merge
        // was most of the clustering's time, profiled).
        double[] rowBest = new double[n];
        int[] rowArg = new int[n];
        for (int i = 0; i < n; i++) {
            bestInRow(i, link, alive, members, rowBest, rowArg);
        }
        for (int remaining = n; remaining > 1; remaining--) {
            double best = -2;
            int bi = -1;
            for (int i = 0; i < n; i++) {
                if (alive[i] && rowBest[i] > best) {
                    best = rowBest[i];
                    bi = i;
                }
            }
            if (best < cosThreshold) {
                break;
            }
            int bj = rowArg[bi];
            members.get(bi).addAll(members.get(bj));
            alive[bj] = false;
            for (int c = 0; c < n; c++) {
                link[bi][c] += link[bj][c];
                link[c][bi] = link[bi][c];
            }
            bestInRow(bi, link, alive, members, rowBest, rowArg);
            for (int i = 0; i < bj; i++) {
                if (!alive[i] || i == bi) {
                    continue;
                }
                if (rowArg[i] == bi || rowArg[i] == bj) {
                    bestInRow(i, link, alive, members, rowBest, rowArg);
                } else if (i < bi) {
                    double s = link[i][bi] / (members.get(i).size() * members.get(bi).size());
                    if (s > rowBest[i] || (s == rowBest[i] && bi < rowArg[i])) {
                        rowBest[i] = s;
                        rowArg[i] = bi;
                    }
                }
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

    /** Row i's most similar alive cluster after it, the first on a tie; -2 and -1 when there is none. */
    private static void bestInRow(int i, double[][] link, boolean[] alive, List<List<Integer>> members,
                                  double[] rowBest, int[] rowArg) {
        double best = -2;
        int arg = -1;
        int sizeI = members.get(i).size();
        for (int j = i + 1; j < link.length; j++) {
            if (alive[j]) {
                double s = link[i][j] / (sizeI * members.get(j).size());
                if (s > best) {
                    best = s;
                    arg = j;
                }
            }
        }
        rowBest[i] = best;
        rowArg[i] = arg;
    }

    /** Normalised centroid of each cluster. */
    public static float[][] centroids(float[][] vs, int[] label) {
        int k = 0;
        for (int l : label) {
            k = Math.max(k, l + 1);
        }
        List<List<float[]>> byCluster = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            byCluster.add(new ArrayList<>());
        }
        for (int i = 0; i < vs.length; i++) {
            byCluster.get(label[i]).add(vs[i]);
        }
        float[][] out = new float[k][];
        for (int c = 0; c < k; c++) {
            float[][] group = byCluster.get(c).toArray(float[][]::new);
            double[] ones = new double[group.length];
            java.util.Arrays.fill(ones, 1);
            out[c] = Vectors.weightedCentroid(group, ones);
        }
        return out;
    }
}
