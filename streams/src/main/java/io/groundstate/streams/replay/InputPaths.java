package io.groundstate.streams.replay;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Input arguments as files: plain paths, and globs ({@code logs/2026-11-*.jsonl.gz}, {@code archive/**.avro})
 * for shells that did not expand them, or quoted ones. A glob's matches come in name order, so hourly or
 * daily archives replay in time order.
 */
public final class InputPaths {
    private InputPaths() {
    }

    public static List<Path> expand(List<String> args) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String arg : args) {
            Path plain = Path.of(arg);
            if (!isGlob(arg) || Files.exists(plain)) {
                if (!Files.isRegularFile(plain)) {
                    throw new IllegalArgumentException(Files.exists(plain) ? arg + " is not a file" : "no such file: " + arg);
                }
                out.add(plain);
                continue;
            }
            List<Path> matched = glob(arg);
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("no file matches " + arg);
            }
            out.addAll(matched);
        }
        return out;
    }

    static boolean isGlob(String s) {
        return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static List<Path> glob(String pattern) throws IOException {
        // The directory part before the first wildcard is walked; the rest is matched.
        String normal = pattern.replace('\\', '/');
        int wild = 0;
        while (wild < normal.length() && "*?[{".indexOf(normal.charAt(wild)) < 0) {
            wild++;
        }
        int slash = normal.lastIndexOf('/', wild);
        Path base = slash < 0 ? Path.of(".") : Path.of(slash == 0 ? "/" : normal.substring(0, slash));
        String rest = normal.substring(slash + 1);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(base.relativize(p)))
                    .sorted()
                    .toList();
        }
    }
}
