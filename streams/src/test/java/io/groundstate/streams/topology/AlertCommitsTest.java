package io.groundstate.streams.topology;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AlertCommitsTest {
    private static final long MS = 1_000_000;
    private long now = 1_000 * MS;
    private final AlertCommits commits = new AlertCommits(() -> now);

    @Test
    void nothingIsAskedWithoutAnUncommittedAlert() {
        assertFalse(commits.askNow(() -> Double.NaN));
        commits.alerted();
        commits.committing(); // the interval's commit took it
        now += 1000 * MS;
        assertFalse(commits.askNow(() -> Double.NaN));
    }

    @Test
    void anAlertAsksOnceAndLaterAlertsWaitForTheMinimumGap() {
        commits.alerted();
        assertTrue(commits.askNow(() -> Double.NaN), "no commit yet: ask at once");
        assertFalse(commits.askNow(() -> Double.NaN), "asked already");
        now += MS;
        commits.committing();
        commits.alerted();
        now += AlertCommits.MIN_GAP_NANOS - 2 * MS;
        assertFalse(commits.askNow(() -> 0.1), "inside the minimum gap");
        now += 2 * MS;
        assertTrue(commits.askNow(() -> 0.1), "a later event asks for it once the gap has passed");
    }

    @Test
    void theGapGrowsWithTheMeanCommitTime() {
        commits.committing();
        commits.alerted();
        now += 50 * MS;
        assertFalse(commits.askNow(() -> 10.0), "commits of 10 ms: 90 ms apart");
        now += 40 * MS;
        assertTrue(commits.askNow(() -> 10.0));
    }
}
