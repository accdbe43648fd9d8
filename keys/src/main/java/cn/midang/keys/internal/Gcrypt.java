package cn.midang.keys.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * libgcrypt (Debian's {@code libgcrypt20}, version 1.9 or later) through the Foreign Function &
 * Memory API: SM3 (GB/T 32905) and SM4 (GB/T 32907) in GCM and in counter mode, nothing else. libgcrypt implements
 * both with AES-NI/AVX2/GFNI where the processor has them. Bulk calls pass Java arrays to the
 * library directly ({@link Linker.Option#critical(boolean)} with heap access), so nothing is copied.
 *
 * <p>{@link #get()} is empty when the library cannot be loaded or is older than 1.9; {@link
 * #unavailable()} says why. Handles are closed by their owners ({@link CryptoBackend}); libgcrypt
 * wipes a cipher handle's key when it is closed.
 */
final class Gcrypt {

    static final int CIPHER_SM4 = 318;
    static final int MODE_CTR = 6;
    static final int MODE_GCM = 9;
    static final int MD_SM3 = 326;
    private static final String MIN_VERSION = "1.9.0";

    /** Before {@link #LOADED}: loading reads it. */
    private static final List<String> SM4_FUNCTIONS = List.of("gcry_cipher_open", "gcry_cipher_close", "gcry_cipher_setkey",
            "gcry_cipher_setiv", "gcry_cipher_setctr", "gcry_cipher_authenticate", "gcry_cipher_encrypt", "gcry_cipher_decrypt",
            "gcry_cipher_gettag", "gcry_cipher_checktag");

    private static final Object LOADED = load();

    final String version;
    private final MethodHandle mdOpen;
    private final MethodHandle mdClose;
    private final MethodHandle mdWrite;
    private final MethodHandle mdRead;
    private final SymbolLookup lib;

    /**
     * The SM4 calls, bound when the first is made (a class's initialisation is lazy and happens once):
     * a command that only hashes (whoami, list) never pays for their ten downcall stubs. A static
     * final record, so the JIT still sees each handle as a constant.
     */
    private static final class Sm4 {
        static final Sm4Calls CALLS = Sm4Calls.bind(((Gcrypt) LOADED).lib);
    }

    /** libgcrypt's cipher functions as method handles. */
    private record Sm4Calls(MethodHandle cipherOpen, MethodHandle cipherClose, MethodHandle setkey, MethodHandle setiv,
            MethodHandle setctr, MethodHandle authenticate, MethodHandle encrypt, MethodHandle decrypt, MethodHandle gettag,
            MethodHandle checktag) {

        static Sm4Calls bind(SymbolLookup lib) {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt err = ValueLayout.JAVA_INT;
            var ptr = ValueLayout.ADDRESS;
            var size = ValueLayout.JAVA_LONG;
            var critical = Linker.Option.critical(true);
            return new Sm4Calls(
                    handle(linker, lib, "gcry_cipher_open",
                            FunctionDescriptor.of(err, ptr, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                    handle(linker, lib, "gcry_cipher_close", FunctionDescriptor.ofVoid(ptr)),
                    handle(linker, lib, "gcry_cipher_setkey", FunctionDescriptor.of(err, ptr, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_setiv", FunctionDescriptor.of(err, ptr, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_setctr", FunctionDescriptor.of(err, ptr, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_authenticate", FunctionDescriptor.of(err, ptr, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_encrypt", FunctionDescriptor.of(err, ptr, ptr, size, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_decrypt", FunctionDescriptor.of(err, ptr, ptr, size, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_gettag", FunctionDescriptor.of(err, ptr, ptr, size), critical),
                    handle(linker, lib, "gcry_cipher_checktag", FunctionDescriptor.of(err, ptr, ptr, size), critical));
        }
    }

    private Gcrypt(SymbolLookup lib, String version) {
        this.version = version;
        this.lib = lib;
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt err = ValueLayout.JAVA_INT;
        var ptr = ValueLayout.ADDRESS;
        var size = ValueLayout.JAVA_LONG;
        var critical = Linker.Option.critical(true);
        mdOpen = handle(linker, lib, "gcry_md_open", FunctionDescriptor.of(err, ptr, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        mdClose = handle(linker, lib, "gcry_md_close", FunctionDescriptor.ofVoid(ptr));
        mdWrite = handle(linker, lib, "gcry_md_write", FunctionDescriptor.ofVoid(ptr, ptr, size), critical);
        mdRead = handle(linker, lib, "gcry_md_read", FunctionDescriptor.of(ptr, ptr, ValueLayout.JAVA_INT));
        for (String f : SM4_FUNCTIONS) {
            // Looked up now (cheap), bound later: a library without them is refused here, and the backend falls back.
            lib.find(f).orElseThrow(() -> new IllegalStateException("libgcrypt lacks " + f));
        }
    }

    private static Sm4Calls sm4() {
        return Sm4.CALLS;
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd, Linker.Option... options) {
        return linker.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("libgcrypt lacks " + name)), fd,
                options);
    }

    /** The loaded library, or empty when it is absent or too old. */
    static Optional<Gcrypt> get() {
        return LOADED instanceof Gcrypt g ? Optional.of(g) : Optional.empty();
    }

    /** Why {@link #get()} is empty (null when it is not). */
    static String unavailable() {
        return LOADED instanceof String why ? why : null;
    }

    private static Object load() {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libgcrypt.so.20", Arena.global());
            MethodHandle check = Linker.nativeLinker().downcallHandle(lib.find("gcry_check_version").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            MemorySegment v;
            try (Arena a = Arena.ofConfined()) {
                // The first call initialises the library; it answers NULL when the library is older than asked.
                v = (MemorySegment) check.invokeExact(a.allocateFrom(MIN_VERSION));
            }
            if (v.equals(MemorySegment.NULL)) {
                return "libgcrypt is older than " + MIN_VERSION;
            }
            String version = v.reinterpret(64).getString(0);
            return new Gcrypt(lib, version);
        } catch (IllegalArgumentException e) {
            return "libgcrypt.so.20 is not installed (Debian: apt-get install libgcrypt20)";
        } catch (IllegalCallerException e) {
            return "native access is not enabled for this module (java --enable-native-access=ALL-UNNAMED)";
        } catch (Throwable e) {
            return "libgcrypt cannot be used: " + e;
        }
    }

    private static void ok(int err, String what) {
        if (err != 0) {
            throw new IllegalStateException("libgcrypt " + what + " failed (error " + Integer.toUnsignedString(err) + ")");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** Opens a handle (a pointer written by the library into a one-pointer cell). */
    private MemorySegment open(MethodHandle opener, String what, int... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cell = a.allocate(ValueLayout.ADDRESS);
            int err = args.length == 2 ? (int) opener.invokeExact(cell, args[0], args[1])
                    : (int) opener.invokeExact(cell, args[0], args[1], args[2]);
            ok(err, what);
            return cell.get(ValueLayout.ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- SM3 ---

    MemorySegment sm3Open() {
        return open(mdOpen, "gcry_md_open(SM3)", MD_SM3, 0);
    }

    void sm3Update(MemorySegment md, byte[] b, int off, int len) {
        try {
            mdWrite.invokeExact(md, MemorySegment.ofArray(b).asSlice(off, len), (long) len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    byte[] sm3Final(MemorySegment md) {
        try {
            MemorySegment out = (MemorySegment) mdRead.invokeExact(md, MD_SM3);
            return out.reinterpret(32).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void sm3Close(MemorySegment md) {
        try {
            mdClose.invokeExact(md);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- SM4-GCM ---

    MemorySegment gcmOpen(byte[] key, byte[] nonce) {
        MemorySegment h = open(sm4().cipherOpen(), "gcry_cipher_open(SM4, GCM)", CIPHER_SM4, MODE_GCM, 0);
        try {
            ok((int) sm4().setkey().invokeExact(h, MemorySegment.ofArray(key), (long) key.length), "setkey");
            ok((int) sm4().setiv().invokeExact(h, MemorySegment.ofArray(nonce), (long) nonce.length), "setiv");
            return h;
        } catch (Throwable t) {
            closeCipher(h);
            throw rethrow(t);
        }
    }

    void gcmAad(MemorySegment h, byte[] b, int off, int len) {
        try {
            ok((int) sm4().authenticate().invokeExact(h, MemorySegment.ofArray(b).asSlice(off, len), (long) len), "authenticate");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void gcmCrypt(MemorySegment h, boolean forEncryption, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len == 0) {
            return;
        }
        try {
            MemorySegment src = MemorySegment.ofArray(in).asSlice(inOff, len);
            MemorySegment dst = MemorySegment.ofArray(out).asSlice(outOff, len);
            int err = forEncryption ? (int) sm4().encrypt().invokeExact(h, dst, (long) len, src, (long) len)
                    : (int) sm4().decrypt().invokeExact(h, dst, (long) len, src, (long) len);
            ok(err, forEncryption ? "encrypt" : "decrypt");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    byte[] gcmTag(MemorySegment h) {
        byte[] tag = new byte[16];
        try {
            ok((int) sm4().gettag().invokeExact(h, MemorySegment.ofArray(tag), 16L), "gettag");
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return tag;
    }

    /** True when {@code tag} is the tag of what was decrypted. */
    boolean gcmCheck(MemorySegment h, byte[] tag) {
        try {
            return (int) sm4().checktag().invokeExact(h, MemorySegment.ofArray(tag), (long) tag.length) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- SM4-CTR ---

    /**
     * XORs {@code len} bytes of {@code buf} from {@code off} with the SM4-CTR key stream of handle
     * {@code h} ({@link #ctrOpen}) that starts
     * {@code skip} bytes (0–15) into the block of the 16-byte {@code counter}; the counter is
     * incremented as one 128-bit big-endian number, as GB/T 17964 and {@code PositionalCipher} do.
     */
    void ctrXor(MemorySegment h, byte[] counter, int skip, byte[] buf, int off, int len) {
        if (len == 0) {
            return;
        }
        try {
            // Sets the counter and drops the key stream left from the call before: a handle may be used again.
            ok((int) sm4().setctr().invokeExact(h, MemorySegment.ofArray(counter), (long) counter.length), "setctr");
            if (skip > 0) {
                // libgcrypt keeps the unused rest of a block's key stream for the next call.
                byte[] discard = new byte[skip];
                ok((int) sm4().encrypt().invokeExact(h, MemorySegment.ofArray(discard), (long) skip, MemorySegment.NULL, 0L), "encrypt");
                java.util.Arrays.fill(discard, (byte) 0); // key stream
            }
            // In place: no input buffer.
            ok((int) sm4().encrypt().invokeExact(h, MemorySegment.ofArray(buf).asSlice(off, len), (long) len, MemorySegment.NULL, 0L),
                    "encrypt");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A counter-mode handle keyed with {@code key}; its owner closes it ({@link #closeCipher}). */
    MemorySegment ctrOpen(byte[] key) {
        MemorySegment h = open(sm4().cipherOpen(), "gcry_cipher_open(SM4, CTR)", CIPHER_SM4, MODE_CTR, 0);
        try {
            ok((int) sm4().setkey().invokeExact(h, MemorySegment.ofArray(key), (long) key.length), "setkey");
            return h;
        } catch (Throwable t) {
            closeCipher(h);
            throw rethrow(t);
        }
    }

    /** Closes a cipher handle; libgcrypt wipes its key. */
    void closeCipher(MemorySegment h) {
        try {
            sm4().cipherClose().invokeExact(h);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
