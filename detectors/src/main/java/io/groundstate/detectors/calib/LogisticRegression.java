package io.groundstate.detectors.calib;

/** L2-regularised logistic regression fitted by Newton's method on standardised features. */
public final class LogisticRegression {
    private LogisticRegression() {
    }

    public record Fit(double[] mean, double[] scale, double[] weights, double bias) {
    }

    /**
     * @param x      rows of raw features (only the selected columns)
     * @param y      labels 0/1
     * @param lambda L2 penalty on the standardised weights (not on the bias)
     * @param positiveWeight weight of a positive example (class balance)
     */
    public static Fit fit(double[][] x, int[] y, double lambda, double positiveWeight) {
        int n = x.length;
        int d = n == 0 ? 0 : x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = scale[j] > 1e-12 ? Math.sqrt(scale[j]) : 1;
        }
        double[][] z = new double[n][d + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mean[j]) / scale[j];
            }
            z[i][d] = 1;
        }
        double[] beta = new double[d + 1];
        for (int iter = 0; iter < 50; iter++) {
            double[] grad = new double[d + 1];
            double[][] hess = new double[d + 1][d + 1];
            for (int i = 0; i < n; i++) {
                double eta = 0;
                for (int j = 0; j <= d; j++) {
                    eta += beta[j] * z[i][j];
                }
                double p = 1 / (1 + Math.exp(-eta));
                double sw = y[i] == 1 ? positiveWeight : 1;
                double r = sw * (y[i] - p);
                double h = sw * p * (1 - p);
                for (int j = 0; j <= d; j++) {
                    grad[j] += r * z[i][j];
                    for (int k = j; k <= d; k++) {
                        hess[j][k] += h * z[i][j] * z[i][k];
                    }
                }
            }
            for (int j = 0; j <= d; j++) {
                for (int k = 0; k < j; k++) {
                    hess[j][k] = hess[k][j];
                }
                if (j < d) {
                    grad[j] -= lambda * beta[j];
                    hess[j][j] += lambda;
                } else {
                    hess[j][j] += 1e-9;
                }
            }
            double[] step = solve(hess, grad);
            double change = 0;
            for (int j = 0; j <= d; j++) {
                beta[j] += step[j];
                change = Math.max(change, Math.abs(step[j]));
            }
            if (change < 1e-8) {
                break;
            }
        }
        double[] weights = new double[d];
        System.arraycopy(beta, 0, weights, 0, d);
        return new Fit(mean, scale, weights, beta[d]);
    }

    /** Gaussian elimination with partial pivoting; a is symmetric positive definite here. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            if (Math.abs(m[c][c]) < 1e-15) {
                continue;
            }
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k <= n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int k = r + 1; k < n; k++) {
                s -= m[r][k] * x[k];
            }
            x[r] = Math.abs(m[r][r]) < 1e-15 ? 0 : s / m[r][r];
        }
        return x;
    }
}
