package cn.midang.keys.internal;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Where the bulk cryptography runs — SM3 over content, SM4-GCM over packages, SM4-CTR over the
 * search index: libgcrypt through
 * FFM ({@link #nativeBackend()}, several times faster) or Bouncy Castle ({@link #BOUNCY_CASTLE}, the
 * reference, and the fallback when libgcrypt or native access is missing). Both produce the same
 * bytes; the package format does not depend on the backend.
 *
 * <p>{@link #current()} is chosen once per JVM: the system property {@code midang.crypto} ({@code
 * native}, {@code bc}; default: native when available), and tests may {@link #use} another for a
 * block of code.
 */
public abstract sealed class CryptoBackend permits CryptoBackend.Native, CryptoBackend.BouncyCastle {

    /** An SM3 computation. */
    public interface Sm3 {
        void update(byte[] b, int off, int len);

        /** The digest; the computation is finished and its resources released. */
        byte[] digest();
    }

    /**
     * SM4-GCM over one package: additional data first, then the content in any pieces. Encrypting,
     * {@link #finish} returns the 16-byte tag; decrypting, it takes the tag and throws when it does not match
     * (what was decrypted before is then not authentic). Either way the key is wiped.
     */
    public interface Gcm {
        void aad(byte[] b, int off, int len);

        /** Processes {@code len} bytes into {@code out} at {@code outOff} (exactly {@code len} bytes). */
        void update(byte[] in, int inOff, int len, byte[] out, int outOff);

        byte[] finish(byte[] tag) throws InvalidCipherTextException;
    }

    public static final CryptoBackend BOUNCY_CASTLE = new BouncyCastle();

    /**
     * The libgcrypt backend, or null when libgcrypt cannot be used ({@link #nativeUnavailable()}
     * says why). Loaded on the first call (class initialisation: once, thread-safe), not when this
     * class is: small digests ({@link cn.midang.keys.digest.Sm3#digest(byte[])}) run on Bouncy
     * Castle and never bring the foreign-function machinery into a short command.
     */
    public static Native nativeBackend() {
        return Loaded.NATIVE;
    }

    private static final class Loaded {
        static final Native NATIVE = Gcrypt.get().map(Native::new).orElse(null);
        static final CryptoBackend CHOSEN = choose();
    }

    private static final ThreadLocal<CryptoBackend> OVERRIDE = new ThreadLocal<>();
    private static final Cleaner CLEANER = Cleaner.create();

    private static CryptoBackend choose() {
        String wanted = System.getProperty("midang.crypto", "").toLowerCase(Locale.ROOT);
        if (wanted.equals("bc")) {
            return BOUNCY_CASTLE;
        }
        if (wanted.equals("native") && Loaded.NATIVE == null) {
            throw new IllegalStateException("midang.crypto=native, but " + Gcrypt.unavailable());
        }
        return Loaded.NATIVE != null ? Loaded.NATIVE : BOUNCY_CASTLE;
    }

    /** The backend of this thread. */
    public static CryptoBackend current() {
        CryptoBackend o = OVERRIDE.get();
        return o != null ? o : Loaded.CHOSEN;
    }

    /** Inputs shorter than this are hashed by {@link #sm3For} on Bouncy Castle. */
    public static final int SMALL_SM3 = 4096;

    /**
     * An SM3 computation for an input whose length is known in advance, given in one piece: below
     * {@link #SMALL_SM3} bytes on Bouncy Castle (a certificate, a request's headers: four native calls
     * cost about as much as hashing it, and a short command then never loads the native library),
     * otherwise — or when a test chose a backend with {@link #use} — on the {@link #current()} one, on
     * the caller's thread (a digest of one piece has nothing to overlap with: {@link Sm3Pipeline}
     * would only add its copies). Same digest either way.
     */
    public static Sm3 sm3For(long length) {
        CryptoBackend o = OVERRIDE.get();
        CryptoBackend b = o != null ? o : length < SMALL_SM3 ? BOUNCY_CASTLE : current();
        return b instanceof Native n ? n.onThisThread() : b.sm3();
    }

    /** Runs with {@code backend} on this thread until the returned scope is closed (for tests and benchmarks). */
    public static AutoCloseable use(CryptoBackend backend) {
        CryptoBackend before = OVERRIDE.get();
        OVERRIDE.set(Objects.requireNonNull(backend));
        return () -> OVERRIDE.set(before);
    }

    /** Why the native backend is not in use, or null when it is. */
    public static String nativeUnavailable() {
        return Gcrypt.unavailable();
    }

    /** What it is, for people: "libgcrypt 1.10.1 (native)" or "Bouncy Castle (Java)". */
    public abstract String description();

    /** True for the libgcrypt backend. */
    public abstract boolean isNative();

    public abstract Sm3 sm3();

    /**
     * XORs {@code len} bytes of {@code buf} from {@code off} with the SM4 counter-mode key stream of
     * {@code key} at byte {@code position} of a stream whose first counter block is {@code iv}: byte
     * {@code p} is XORed with byte {@code p % 16} of SM4(key, iv + p / 16), the sum taken over 128 bits
     * (encrypting and decrypting are the same; {@code PositionalCipher} says what it is for).
     */
    public final void sm4Ctr(byte[] key, byte[] iv, long position, byte[] buf, int off, int len) {
        if (key.length != 16 || iv.length != 16 || position < 0 || off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("bad key, IV or range");
        }
        sm4CtrChecked(key, iv, position, buf, off, len);
    }

    abstract void sm4CtrChecked(byte[] key, byte[] iv, long position, byte[] buf, int off, int len);

    /** {@code iv + block} as a 128-bit big-endian sum. */
    static void counterBlock(byte[] iv, long block, byte[] out) {
        int carry = 0;
        for (int i = 15; i >= 0; i--) {
            int add = i >= 8 ? (int) ((block >>> (8 * (15 - i))) & 0xff) : 0;
            int sum = (iv[i] & 0xff) + add + carry;
            out[i] = (byte) sum;
            carry = sum >>> 8;
        }
    }

    @Override
    public String toString() {
        return description();
    }

    /** Bouncy Castle: SM3 here; its SM4-GCM is reached through its own CMS operators ({@code Sealer}, {@code Opener}). */
    static final class BouncyCastle extends CryptoBackend {
        @Override
        public String description() {
            return "Bouncy Castle (Java)";
        }

        @Override
        public boolean isNative() {
            return false;
        }

        @Override
        public Sm3 sm3() {
            SM3Digest d = new SM3Digest();
            return new Sm3() {
                @Override
                public void update(byte[] b, int off, int len) {
                    d.update(b, off, len);
                }

                @Override
                public byte[] digest() {
                    byte[] out = new byte[32];
                    d.doFinal(out, 0);
                    return out;
                }
            };
        }

        @Override
        void sm4CtrChecked(byte[] key, byte[] iv, long position, byte[] buf, int off, int len) {
            SM4Engine sm4 = new SM4Engine();
            sm4.init(true, new KeyParameter(key));
            byte[] counter = new byte[16];
            byte[] stream = new byte[16];
            long block = position >>> 4;
            int skip = (int) (position & 15);
            int done = 0;
            while (done < len) {
                counterBlock(iv, block, counter);
                sm4.processBlock(counter, 0, stream, 0);
                int n = Math.min(16 - skip, len - done);
                for (int i = 0; i < n; i++) {
                    buf[off + done + i] ^= stream[skip + i];
                }
                done += n;
                skip = 0;
                block++;
            }
            Arrays.fill(stream, (byte) 0);
        }
    }

    /** libgcrypt: SM3, and SM4-GCM for the CMS operators of {@link NativeCms}. */
    public static final class Native extends CryptoBackend {
        private final Gcrypt lib;

        Native(Gcrypt lib) {
            this.lib = lib;
        }

        @Override
        public String description() {
            return "libgcrypt " + lib.version + " (native)";
        }

        @Override
        public boolean isNative() {
            return true;
        }

        /** Closes a native handle once, when its owner is done or unreachable. */
        private static final class Handle implements Runnable {
            private final java.util.function.Consumer<MemorySegment> close;
            private MemorySegment h;

            Handle(MemorySegment h, java.util.function.Consumer<MemorySegment> close) {
                this.h = h;
                this.close = close;
            }

            MemorySegment get() {
                if (h == null) {
                    throw new IllegalStateException("already finished");
                }
                return h;
            }

            @Override
            public synchronized void run() {
                if (h != null) {
                    close.accept(h);
                    h = null;
                }
            }
        }

        /** Hashed on a pool thread beyond its first {@link Sm3Pipeline#BUFFER} bytes: see {@link Sm3Pipeline}. */
        @Override
        public Sm3 sm3() {
            return new Sm3Pipeline(onThisThread());
        }

        /** An SM3 computation on the caller's thread only. */
        Sm3 onThisThread() {
            Handle h = new Handle(lib.sm3Open(), lib::sm3Close);
            Object owner = new Object() { };
            Cleaner.Cleanable clean = CLEANER.register(owner, h);
            return new Sm3() {
                private final Object keep = owner;

                @Override
                public void update(byte[] b, int off, int len) {
                    lib.sm3Update(h.get(), b, off, len);
                }

                @Override
                public byte[] digest() {
                    try {
                        return lib.sm3Final(h.get());
                    } finally {
                        clean.clean();
                        java.lang.ref.Reference.reachabilityFence(keep);
                    }
                }
            };
        }

        @Override
        void sm4CtrChecked(byte[] key, byte[] iv, long position, byte[] buf, int off, int len) {
            byte[] counter = new byte[16];
            counterBlock(iv, position >>> 4, counter);
            lib.ctrXor(ctrHandle(key), counter, (int) (position & 15), buf, off, len);
        }

        /** A thread's counter-mode handle, with a copy of its key; closed by {@link #closing}, once. */
        private static final class ThreadCtr {
            final byte[] key;
            final Handle handle;
            final Cleaner.Cleanable closing;

            ThreadCtr(byte[] key, Handle handle) {
                this.key = key.clone();
                this.handle = handle;
                this.closing = CLEANER.register(this, handle); // after its thread has ended
            }
        }

        private final ThreadLocal<ThreadCtr> ctr = new ThreadLocal<>();

        /**
         * This thread's counter-mode handle for {@code key}. The index is read 4 KiB page by page with
         * one key, and each page opened, keyed and closed a handle: closing alone was 5.5 % of a
         * phrase query's samples at 100,000 documents (issue 17). A thread keeps one handle, for the
         * key it used last (compared by value: a caller may reuse its array); it is closed (libgcrypt
         * wipes its key) and the copy wiped when the key changes, or after the thread has ended.
         */
        private MemorySegment ctrHandle(byte[] key) {
            ThreadCtr c = ctr.get();
            if (c != null && Arrays.equals(c.key, key)) {
                return c.handle.get();
            }
            if (c != null) {
                ctr.remove();
                c.closing.clean();
                Arrays.fill(c.key, (byte) 0);
            }
            ThreadCtr fresh = new ThreadCtr(key, new Handle(lib.ctrOpen(key), lib::closeCipher));
            ctr.set(fresh);
            return fresh.handle.get();
        }

        /** SM4-GCM over one package with {@code key} and the 12-byte {@code nonce}. */
        public Gcm gcm(boolean forEncryption, byte[] key, byte[] nonce) {
            Handle h = new Handle(lib.gcmOpen(key, nonce), lib::closeCipher);
            Object owner = new Object() { };
            Cleaner.Cleanable clean = CLEANER.register(owner, h);
            return new Gcm() {
                private final Object keep = owner;

                @Override
                public void aad(byte[] b, int off, int len) {
                    lib.gcmAad(h.get(), b, off, len);
                }

                @Override
                public void update(byte[] in, int inOff, int len, byte[] out, int outOff) {
                    lib.gcmCrypt(h.get(), forEncryption, in, inOff, len, out, outOff);
                }

                @Override
                public byte[] finish(byte[] tag) throws InvalidCipherTextException {
                    try {
                        if (forEncryption) {
                            return lib.gcmTag(h.get());
                        }
                        if (tag == null || tag.length != 16 || !lib.gcmCheck(h.get(), tag)) {
                            throw new InvalidCipherTextException("mac check in GCM failed");
                        }
                        return null;
                    } finally {
                        clean.clean();
                        java.lang.ref.Reference.reachabilityFence(keep);
                    }
                }
            };
        }
    }
}
