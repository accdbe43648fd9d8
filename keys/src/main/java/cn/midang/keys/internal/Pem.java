package cn.midang.keys.internal;

import cn.midang.keys.KeysException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM encoding and decoding of single objects, with DER accepted where PEM is expected. */
public final class Pem {
    private Pem() {}

    public static String encode(String type, byte[] der) {
        StringWriter w = new StringWriter();
        try (PemWriter pw = new PemWriter(w)) {
            pw.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /**
     * Returns the DER bytes of the first PEM object of {@code type}, or the input itself when it
     * is already DER (starts with a SEQUENCE tag).
     */
    public static byte[] decode(String type, byte[] input, String what) throws KeysException {
        if (input.length > 0 && input[0] == 0x30) {
            return input;
        }
        try (PemReader r = new PemReader(new StringReader(new String(input, StandardCharsets.US_ASCII)))) {
            for (PemObject o; (o = r.readPemObject()) != null; ) {
                if (o.getType().equals(type)) {
                    return o.getContent();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new KeysException(KeysException.Reason.MALFORMED, what + " is not valid PEM: " + e.getMessage(), e);
        }
        throw new KeysException(KeysException.Reason.MALFORMED,
                what + " holds no \"" + type + "\" block (expected PEM starting with -----BEGIN " + type + "-----)");
    }
}
