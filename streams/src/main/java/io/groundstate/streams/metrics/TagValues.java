package io.groundstate.streams.metrics;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the values of one tag (app or model): names on an allow-list pass, and so do the first few distinct
 * names seen when there is no list; everything else is {@value #OTHER}. A request id or a free-text name can
 * therefore never multiply the series an instance exports.
 */
public final class TagValues {
    public static final String OTHER = "other";
    public static final String UNKNOWN = "unknown";
    static final int MAX_LENGTH = 64;

    private final Set<String> allowed;
    private final int firstSeen;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    /**
     * @param allowList names that pass; when empty, the first {@code firstSeen} distinct names pass instead
     */
    public TagValues(List<String> allowList, int firstSeen) {
        this.allowed = Set.copyOf(allowList.stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
        this.firstSeen = firstSeen;
    }

    public String of(String value) {
        if (value == null || value.isBlank()) {
            return UNKNOWN;
        }
        if (!allowed.isEmpty()) {
            return allowed.contains(value) ? value : OTHER;
        }
        if (value.length() > MAX_LENGTH) {
            return OTHER;
        }
        if (admitted.contains(value)) {
            return value;
        }
        synchronized (admitted) {
            if (admitted.size() < firstSeen) {
                admitted.add(value);
                return value;
            }
        }
        return admitted.contains(value) ? value : OTHER;
    }
}
