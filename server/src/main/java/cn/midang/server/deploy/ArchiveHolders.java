package cn.midang.server.deploy;

import cn.midang.keys.KeysException;
import cn.midang.keys.io.SafeFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code keys/archive-holders.json}: the archive key (by the SM3 of its public key) is opened by
 * {@code threshold} of these holders' shares; each holder by certificate fingerprint and subject.
 * Public facts, kept in the clear: that a department holds a share is no secret, its share is.
 */
public record ArchiveHolders(String archive, int threshold, List<Holder> holders) {

    public record Holder(String fingerprint, String subject) {}

    public ArchiveHolders {
        holders = List.copyOf(holders);
    }

    public boolean holds(String fingerprint) {
        return holders.stream().anyMatch(h -> h.fingerprint().equals(fingerprint));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public void write(Path file) throws KeysException, IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "midang-archive-holders/1");
        m.put("archive", archive);
        m.put("threshold", threshold);
        m.put("holders", holders.stream().map(h -> Map.of("fingerprint", h.fingerprint(), "subject", h.subject())).toList());
        Files.createDirectories(file.getParent());
        SafeFiles.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m), false);
    }

    public static ArchiveHolders read(Path file) throws KeysException {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            List<Holder> holders = new ArrayList<>();
            n.path("holders").forEach(h -> holders.add(new Holder(h.path("fingerprint").asText(), h.path("subject").asText())));
            if (!"midang-archive-holders/1".equals(n.path("type").asText()) || holders.size() < 2
                    || n.path("threshold").asInt() < 2 || n.path("threshold").asInt() > holders.size()) {
                throw new KeysException(KeysException.Reason.MALFORMED, file + " is not a list of archive key holders");
            }
            return new ArchiveHolders(n.path("archive").asText(), n.path("threshold").asInt(), holders);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
