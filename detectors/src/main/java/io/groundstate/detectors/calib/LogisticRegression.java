package io.groundstate.detectors.calib;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.NonSymmetricMatrixException;

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

    /**
     * The Newton step: the Hessian is symmetric positive definite whenever the fit is well posed (every weight is
     * penalised, the bias has data behind it), so Cholesky solves it, and a singular one (no penalty and a constant
     * or duplicated column, or no rows) is an error rather than a step that silently drops a direction.
     */
    static double[] solve(double[][] a, double[] b) {
        try {
            return new CholeskyDecomposition(new Array2DRowRealMatrix(a, false)).getSolver()
                    .solve(new ArrayRealVector(b, false)).toArray();
        } catch (NonPositiveDefiniteMatrixException | NonSymmetricMatrixException e) {
            throw new IllegalArgumentException("the logistic fit is singular (" + e.getMessage() + "): a feature is "
                    + "constant or a copy of another and has no penalty, or there are no rows to fit", e);
        }
    }
}
