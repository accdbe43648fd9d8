package cn.midang.keys.seal;

import java.util.HexFormat;

/**
 * What sealing produced: the size of the content and its SM3 digest, as signed.
 *
 * @param contentSize bytes of plaintext sealed
 * @param contentSm3 SM3 of the plaintext (the signed messageDigest)
 */
public record Sealed(long contentSize, byte[] contentSm3) {
    public Sealed {
        contentSm3 = contentSm3.clone();
    }

    @Override
    public byte[] contentSm3() {
        return contentSm3.clone();
    }

    public String contentSm3Hex() {
        return HexFormat.of().formatHex(contentSm3);
    }
}
