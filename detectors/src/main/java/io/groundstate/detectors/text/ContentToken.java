package io.groundstate.detectors.text;

/**
 * A token that carries content: a number, a name or a content word, with its offsets in the
 * sentence or text it came from and its normalised form.
 */
public record ContentToken(int start, int end, String surface, String norm, Kind kind) {
    public enum Kind { NUMBER, NAME, WORD }
}
