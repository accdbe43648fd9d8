package cn.midang.keys.internal;

import cn.midang.keys.io.WriteBehind;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * An SM3 computation that hashes on another thread while its writer goes on (issue 17): sealing
 * and opening a package hash its content — and the client and the server the package too — on
 * the thread that encrypts or decrypts it, so on two cores the hashing added to the wall time.
 *
 * <p>The first {@link #BUFFER} bytes are hashed on the writer's thread, as they come: a small
 * input never leaves it and costs no copy. After that, what is written goes through a
 * {@link WriteBehind} whose sink is the computation: copied into one of its three buffers of that
 * size and hashed in order on a pool thread, the writer waiting only when all three are full, so
 * memory stays at three buffers whatever the input's size; nothing waits on a digest that was
 * given up half-way (a refused upload's). A failure of the hashing reaches the writer's next
 * update or the digest, as it was thrown.
 *
 * <p>One writer, like any digest. The wrapped computation is reached only through this object and
 * its stream, so it stays reachable — and its native handle open — until the last buffer was hashed.
 */
final class Sm3Pipeline implements CryptoBackend.Sm3 {

    static final int BUFFER = WriteBehind.BUFFER;

    private final CryptoBackend.Sm3 inner;
    private final WriteBehind behind;
    private long direct; // bytes hashed on the writer's thread
    private boolean buffering; // from the first update that goes past BUFFER on

    Sm3Pipeline(CryptoBackend.Sm3 inner) {
        this.inner = Objects.requireNonNull(inner);
        this.behind = new WriteBehind(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                inner.update(b, off, len);
            }
        });
    }

    @Override
    public void update(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!buffering && direct + len <= BUFFER) {
            inner.update(b, off, len);
            direct += len;
            return;
        }
        buffering = true;
        try {
            behind.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the sink throws none: only a closed stream would
        }
    }

    @Override
    public byte[] digest() {
        try {
            behind.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inner.digest();
    }
}
