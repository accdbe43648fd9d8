package cn.midang.keys.tlog;

import cn.midang.keys.KeysException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a C2SP {@code tlog-checkpoint}: the log's origin, the tree size and the base64
 * root hash, one per line. Midang's checkpoints carry no extension lines, and a text with any
 * is refused.
 */
public record TreeHead(String origin, long size, byte[] root) {

    private static final Pattern TEXT = Pattern.compile("([^\\n]+)\\n(0|[1-9][0-9]{0,18})\\n([A-Za-z0-9+/]{43}=)\\n");

    public TreeHead {
        if (!NoteKey.isName(origin)) {
            throw new IllegalArgumentException("an origin is non-empty, without spaces or '+'");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative tree size");
        }
        TreeHasher.requireHash(root);
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    public String text() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    }

    public static TreeHead parse(String text) throws KeysException {
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            throw Note.malformed("not a checkpoint of three lines: origin, size, root");
        }
        try {
            return new TreeHead(m.group(1), Long.parseLong(m.group(2)), Base64.getDecoder().decode(m.group(3)));
        } catch (IllegalArgumentException e) {
            throw Note.malformed("not a checkpoint: " + e.getMessage());
        }
    }
}
