package cn.midang.keys.tlog;

import cn.midang.keys.KeysException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, and signature lines
 * {@code — <key name> base64(key ID || signature)}. Parsing checks only the form; which
 * signatures count is for {@link NoteKey} to say.
 */
public record Note(String text, List<Signature> signatures) {

    /** The most signature lines read (the specification asks for at least 16). */
    public static final int MAX_SIGNATURES = 32;
    /** The most characters of a note read. */
    public static final int MAX_LENGTH = 64 * 1024;
    private static final String DASH = "\u2014 ";

    /** One signature line: the signer's name, its key ID and the signature bytes after the ID. */
    public record Signature(String name, int keyId, byte[] signature) {
        public Signature {
            if (!NoteKey.isName(name)) {
                throw new IllegalArgumentException("not a key name: " + name);
            }
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        String line() {
            byte[] b = new byte[4 + signature.length];
            b[0] = (byte) (keyId >>> 24);
            b[1] = (byte) (keyId >>> 16);
            b[2] = (byte) (keyId >>> 8);
            b[3] = (byte) keyId;
            System.arraycopy(signature, 0, b, 4, signature.length);
            return DASH + name + " " + Base64.getEncoder().encodeToString(b) + "\n";
        }
    }

    public Note {
        checkText(text);
        signatures = List.copyOf(signatures);
    }

    /** The same note with one more signature line. */
    public Note with(Signature s) {
        List<Signature> all = new ArrayList<>(signatures);
        all.add(s);
        return new Note(text, all);
    }

    /** The note as served and stored: text, blank line, signature lines. */
    public String format() {
        StringBuilder b = new StringBuilder(text).append('\n');
        signatures.forEach(s -> b.append(s.line()));
        return b.toString();
    }

    public byte[] bytes() {
        return format().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a note; refuses anything not of the form, with {@code MALFORMED}. */
    public static Note parse(String note) throws KeysException {
        if (note.length() > MAX_LENGTH) {
            throw malformed("longer than " + MAX_LENGTH + " characters");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw malformed("no blank line before the signatures");
        }
        String text = note.substring(0, split + 1);
        String rest = note.substring(split + 2);
        if (rest.isEmpty() || !rest.endsWith("\n")) {
            throw malformed("no signature line, or one without its final newline");
        }
        List<Signature> signatures = new ArrayList<>();
        for (String line : rest.substring(0, rest.length() - 1).split("\n", -1)) {
            if (signatures.size() == MAX_SIGNATURES) {
                throw malformed("more than " + MAX_SIGNATURES + " signatures");
            }
            if (!line.startsWith(DASH)) {
                throw malformed("a signature line does not start with an em dash and a space");
            }
            String[] parts = line.substring(DASH.length()).split(" ", -1);
            if (parts.length != 2 || !NoteKey.isName(parts[0])) {
                throw malformed("a signature line is not \"— name signature\"");
            }
            byte[] b;
            try {
                b = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw malformed("a signature is not base64");
            }
            if (b.length < 5) {
                throw malformed("a signature is shorter than a key ID and one byte");
            }
            int id = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            signatures.add(new Signature(parts[0], id, java.util.Arrays.copyOfRange(b, 4, b.length)));
        }
        try {
            return new Note(text, signatures);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private static void checkText(String text) {
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("a note's text ends with a newline");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' || Character.isSurrogate(c) && !validSurrogate(text, i)) {
                throw new IllegalArgumentException("a note's text holds a control character or broken UTF-16");
            }
        }
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    static KeysException malformed(String why) {
        return new KeysException(KeysException.Reason.MALFORMED, "not a signed note: " + why);
    }
}
