package io.groundstate.detectors.eval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One labeled answer in the RAGTruth-style format (see shared/data/README.md). Labels are spans, or only a
 * response-level {@code hallucinated} ({@code label_granularity: response}, as many public datasets are): such a
 * record counts for response-level figures and nothing finer. Records that share a {@code pair} are a minimal pair: a
 * faithful answer and its hallucinated twin (the contrast suite), reported as pairs by {@code eval}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LabeledRecord(@JsonProperty("id") String id,
                            @JsonProperty("source_id") String sourceId,
                            @JsonProperty("task_type") String taskType,
                            @JsonProperty("model") String model,
                            @JsonProperty("question") String question,
                            @JsonProperty("context") String context,
                            @JsonProperty("response") String response,
                            @JsonProperty("labels") List<Span> labels,
                            @JsonProperty("hallucinated") Boolean hallucinatedLabel,
                            @JsonProperty("label_granularity") String labelGranularity,
                            @JsonProperty("pair") String pair) {

    /** A record labeled with spans (or none, for a faithful answer). */
    public LabeledRecord(String id, String sourceId, String taskType, String model, String question, String context,
                         String response, List<Span> labels) {
        this(id, sourceId, taskType, model, question, context, response, labels, null, null, null);
    }

    /** A record with a response-level label, outside any minimal pair. */
    public LabeledRecord(String id, String sourceId, String taskType, String model, String question, String context,
                         String response, List<Span> labels, Boolean hallucinated, String labelGranularity) {
        this(id, sourceId, taskType, model, question, context, response, labels, hallucinated, labelGranularity, null);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Span(@JsonProperty("start") int start, @JsonProperty("end") int end,
                       @JsonProperty("text") String text, @JsonProperty("label_type") String labelType) {
    }

    /** The response-level label: the file's {@code hallucinated} where it has one, else whether any span is labeled. */
    public boolean hallucinated() {
        return hallucinatedLabel != null ? hallucinatedLabel : labels != null && !labels.isEmpty();
    }

    /**
     * Whether the spans are the whole truth about this response (a faithful answer has none), so that sentences and
     * characters can be judged against them; false for a record labeled at response level only.
     */
    public boolean spanLabeled() {
        return !"response".equals(labelGranularity);
    }

    public List<Span> spans() {
        return labels == null ? List.of() : labels;
    }

    /** Whether the characters [start, end) overlap a labeled span: how sentences, tokens and alerts are judged. */
    public boolean labeled(int start, int end) {
        for (Span l : spans()) {
            if (l.start < end && l.end > start) {
                return true;
            }
        }
        return false;
    }

    /** Reads a JSON-lines file; a bad line is an error naming the line, since labels must not be guessed. */
    public static List<LabeledRecord> read(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString());
        }
    }

    /** Reads JSON lines from {@code in}; {@code source} names it in errors (a file, a resource). */
    public static List<LabeledRecord> read(BufferedReader in, String source) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<LabeledRecord> out = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            LabeledRecord r;
            try {
                r = json.readValue(line, LabeledRecord.class);
            } catch (JsonProcessingException e) {
                throw new IOException(source + ":" + n + ": not a labeled record: " + e.getOriginalMessage(), e);
            }
            r.validate(source + ":" + n);
            out.add(r);
        }
        return out;
    }

    void validate(String where) throws IOException {
        if (id == null || response == null || context == null) {
            throw new IOException(where + ": id, context and response are required");
        }
        if (labelGranularity != null && !labelGranularity.equals("span") && !labelGranularity.equals("response")) {
            throw new IOException(where + ": label_granularity must be span or response, not " + labelGranularity);
        }
        if (!spanLabeled() && hallucinatedLabel == null) {
            throw new IOException(where + ": a record labeled at response level needs hallucinated (true or false)");
        }
        if (spanLabeled() && hallucinatedLabel != null && hallucinatedLabel != !spans().isEmpty()) {
            throw new IOException(where + ": hallucinated is " + hallucinatedLabel + " but " + spans().size()
                    + " spans are labeled; for a response-level label set label_granularity to response");
        }
        for (Span s : spans()) {
            if (s.start < 0 || s.end > response.length() || s.start > s.end) {
                throw new IOException(where + ": label [" + s.start + ", " + s.end + ") lies outside the response of "
                        + response.length() + " characters");
            }
        }
    }

    public String task() {
        return taskType == null || taskType.isBlank() ? "unknown" : taskType;
    }

    public String source() {
        return sourceId == null || sourceId.isBlank() ? id : sourceId;
    }
}
