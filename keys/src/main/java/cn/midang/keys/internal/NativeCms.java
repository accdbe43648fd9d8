package cn.midang.keys.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.InputStreamWithMAC;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.InputAEADDecryptor;
import org.bouncycastle.operator.OutputAEADEncryptor;

/**
 * Bouncy Castle's CMS operators on a {@link CryptoBackend}: the SM3 digest of signed content and
 * the SM4-GCM of the package, so that CMS framing stays Bouncy Castle's while the bulk work runs
 * natively. The package is the same as the Java path makes (AuthEnvelopedData, SM4-GCM with a
 * 12-byte nonce and a 16-byte tag, authenticated attributes = content type signedData).
 *
 * <p>libgcrypt takes GCM's additional data before the content, while Bouncy Castle's CMS streams
 * give it after (the attributes follow the content in the encoding). Our packages have exactly one
 * set of authenticated attributes, {@link #AAD}, which is therefore given first, and what the CMS
 * stream later writes as additional data must be exactly it, or the package is refused.
 */
public final class NativeCms {

    private NativeCms() {}

    /** The authenticated attributes of every package, DER: {contentType: signedData}. */
    static final byte[] AAD = aad();

    private static final int TAG = 16;
    private static final int NONCE = 12;

    private static byte[] aad() {
        try {
            return new DERSet(new Attribute(CMSAttributes.contentType, new DERSet(CMSObjectIdentifiers.signedData)))
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SM3 for CMS signing and verification; other algorithms are not ours. */
    public static DigestCalculatorProvider digests(CryptoBackend backend, DigestCalculatorProvider others) {
        AlgorithmIdentifier sm3 = new AlgorithmIdentifier(GMObjectIdentifiers.sm3);
        return alg -> {
            if (!GMObjectIdentifiers.sm3.equals(alg.getAlgorithm())) {
                return others.get(alg);
            }
            CryptoBackend.Sm3 d = backend.sm3();
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) {
                    d.update(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    d.update(b, off, len);
                }
            };
            return new DigestCalculator() {
                private byte[] digest;

                @Override
                public AlgorithmIdentifier getAlgorithmIdentifier() {
                    return sm3;
                }

                @Override
                public OutputStream getOutputStream() {
                    return out;
                }

                @Override
                public byte[] getDigest() {
                    if (digest == null) {
                        digest = d.digest();
                    }
                    return digest.clone();
                }
            };
        };
    }

    /** A fresh content key and nonce, encrypting with {@code backend}. */
    public static OutputAEADEncryptor encryptor(CryptoBackend.Native backend, SecureRandom random) {
        byte[] key = new byte[16];
        byte[] nonce = new byte[NONCE];
        random.nextBytes(key);
        random.nextBytes(nonce);
        AlgorithmIdentifier alg = new AlgorithmIdentifier(GMObjectIdentifiers.sms4_gcm, new GCMParameters(nonce, TAG));
        CryptoBackend.Gcm gcm = backend.gcm(true, key, nonce);
        gcm.aad(AAD, 0, AAD.length);
        return new OutputAEADEncryptor() {
            private byte[] tag;

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return alg;
            }

            @Override
            public GenericKey getKey() {
                return new GenericKey(alg, key);
            }

            @Override
            public OutputStream getOutputStream(OutputStream out) {
                return new FilterOutputStream(out) {
                    private byte[] buf = new byte[64 * 1024];
                    private boolean closed;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (buf.length < len) {
                            buf = new byte[len];
                        }
                        gcm.update(b, off, len, buf, 0);
                        out.write(buf, 0, len);
                    }

                    @Override
                    public void close() throws IOException {
                        if (closed) {
                            return;
                        }
                        closed = true;
                        try {
                            tag = gcm.finish(null);
                        } catch (InvalidCipherTextException e) {
                            throw new IllegalStateException("GCM encryption cannot fail", e);
                        } finally {
                            Arrays.fill(key, (byte) 0);
                        }
                        out.flush(); // the CMS generator closes the octet stream itself
                    }
                };
            }

            @Override
            public OutputStream getAADStream() {
                return new RequiredAad();
            }

            @Override
            public byte[] getMAC() {
                if (tag == null) {
                    throw new IllegalStateException("the tag is known when the content stream is closed");
                }
                return tag.clone();
            }
        };
    }

    /** The decryptor of a package's content, with its content key, decrypting with {@code backend}. */
    public static InputAEADDecryptor decryptor(CryptoBackend.Native backend, byte[] key, AlgorithmIdentifier contentAlg) throws IOException {
        ASN1ObjectIdentifier oid = contentAlg.getAlgorithm();
        if (!GMObjectIdentifiers.sms4_gcm.equals(oid)) {
            throw new IOException("the package is encrypted with " + oid + ", not SM4-GCM");
        }
        GCMParameters p = GCMParameters.getInstance(contentAlg.getParameters());
        if (p.getIcvLen() != TAG || p.getNonce().length != NONCE) {
            throw new IOException("SM4-GCM with a " + p.getNonce().length + "-byte nonce and a " + p.getIcvLen()
                    + "-byte tag is not what Midang makes");
        }
        CryptoBackend.Gcm gcm = backend.gcm(false, key, p.getNonce());
        gcm.aad(AAD, 0, AAD.length);
        return new InputAEADDecryptor() {
            private InputStream source;

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return contentAlg;
            }

            @Override
            public InputStream getInputStream(InputStream in) {
                source = in;
                return new TagHoldingDecryptor(in, gcm);
            }

            @Override
            public OutputStream getAADStream() {
                return new RequiredAad();
            }

            @Override
            public byte[] getMAC() {
                return source instanceof InputStreamWithMAC m ? m.getMAC() : null;
            }
        };
    }

    /** The additional data Bouncy Castle writes after the content: it must be exactly {@link #AAD}, which was given first. */
    private static final class RequiredAad extends ByteArrayOutputStream {
        @Override
        public void close() throws IOException {
            if (!Arrays.equals(toByteArray(), AAD)) {
                throw new IOException(new InvalidCipherTextException("the package's authenticated attributes are not Midang's"));
            }
        }
    }

    /**
     * Decrypts ciphertext followed by its 16-byte tag (as Bouncy Castle's parser streams them). The
     * last {@link #HOLD} bytes are decrypted and released only after the tag matched: they hold the
     * end of the signed data (certificates, signer information), so a package changed anywhere is
     * reported as tampered before its signature is looked at, as on the Java path.
     */
    private static final class TagHoldingDecryptor extends InputStream {
        private static final int HOLD = 16 * 1024 + TAG;
        private final InputStream in;
        private final CryptoBackend.Gcm gcm;
        private final byte[] window = new byte[64 * 1024 + HOLD];
        private int held; // bytes at the start of window not yet decrypted
        private byte[] plain = new byte[64 * 1024 + HOLD];
        private int plainPos;
        private int plainEnd;
        private boolean done;

        TagHoldingDecryptor(InputStream in, CryptoBackend.Gcm gcm) {
            this.in = in;
            this.gcm = gcm;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (plainPos == plainEnd) {
                if (done) {
                    return -1;
                }
                fill();
            }
            int n = Math.min(len, plainEnd - plainPos);
            System.arraycopy(plain, plainPos, b, off, n);
            plainPos += n;
            return n;
        }

        private void fill() throws IOException {
            int n = in.read(window, held, window.length - held);
            plainPos = 0;
            if (n < 0) {
                done = true;
                if (held < TAG) {
                    plainEnd = 0;
                    throw new EOFException("the encrypted content ends before its authentication tag");
                }
                int last = held - TAG;
                gcm.update(window, 0, last, plain, 0);
                try {
                    gcm.finish(Arrays.copyOfRange(window, last, held));
                } catch (InvalidCipherTextException e) {
                    plainEnd = 0;
                    throw new IOException(e);
                }
                plainEnd = last;
                return;
            }
            int available = held + n;
            int ready = Math.max(0, available - HOLD);
            gcm.update(window, 0, ready, plain, 0);
            System.arraycopy(window, ready, window, 0, available - ready);
            held = available - ready;
            plainEnd = ready;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
