package cn.midang.keys.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteBehind}: every byte reaches the sink in order, on the pool's thread, whatever the
 * sizes and cuts; the writer waits instead of taking a fourth buffer; a failure of a write or of
 * a force behind reaches the writer, and nothing is written after it.
 */
class WriteBehindTest {

    private static final int B = WriteBehind.BUFFER;

    /** A sink in memory noting the threads that wrote to it and whether it was flushed and closed. */
    private static class Noting extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile boolean flushed;
        volatile boolean closed;

        @Override
        public void write(int b) {
            throw new AssertionError("written one byte at a time");
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            threads.add(Thread.currentThread().getName());
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushed = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void everySizeAroundTheBuffers_inAnyPieces_reachesTheSinkWholeAndInOrder_onThePoolsThread() throws IOException {
        Random r = new Random(29);
        int[] sizes = {0, 1, B - 1, B, B + 1, 3 * B, 3 * B + 1, 4 * B, 7 * B + 5, 20 * B + 3};
        for (int size : sizes) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            for (int cut : new int[] {1, 4096, B - 1, B, B + 1, 3 * B + 7, Integer.MAX_VALUE}) {
                Noting sink = new Noting();
                WriteBehind w = new WriteBehind(sink);
                for (int off = 0; off < size; ) {
                    int n = (int) Math.min(size - off, cut == 1 ? 1 + r.nextInt(3 * B) : cut);
                    w.write(data, off, n);
                    off += n;
                }
                w.flush();
                assertThat(sink.bytes.toByteArray()).as("size %d, cut %d", size, cut).isEqualTo(data);
                assertThat(sink.flushed).isTrue();
                assertThat(sink.threads).allMatch(t -> t.startsWith("midang-behind-"));
                assertThat(w.buffersAllocated()).isLessThanOrEqualTo(WriteBehind.BUFFERS);
                w.close();
                assertThat(sink.closed).isTrue();
            }
        }
    }

    @Test
    void writingMoreAfterAFlush_appends_andAClosedStreamRefusesWrites() throws IOException {
        Noting sink = new Noting();
        WriteBehind w = new WriteBehind(sink);
        w.write(new byte[] {1, 2, 3});
        w.flush();
        w.write(4);
        w.close();
        w.close();
        assertThat(sink.bytes.toByteArray()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> w.write(5)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void aWriterAheadOfTheSinkByThreeBuffers_waits_insteadOfTakingAFourth() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        Noting sink = new Noting() {
            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                try {
                    open.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                super.write(b, off, len);
            }
        };
        WriteBehind w = new WriteBehind(sink);
        byte[] data = new byte[5 * B];
        new Random(31).nextBytes(data);
        w.write(data, 0, 3 * B); // three buffers handed over, none written back
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                w.write(data, 3 * B, 2 * B);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        while (writer.getState() != Thread.State.WAITING && writer.isAlive()) {
            Thread.onSpinWait(); // the writer gets to wait for a buffer (or, wrongly, is done), however long that takes
        }
        assertThat(writer.isAlive()).as("the writer waits for a buffer").isTrue();
        assertThat(w.buffersAllocated()).isEqualTo(WriteBehind.BUFFERS);
        open.countDown();
        writer.join();
        w.flush();
        assertThat(sink.bytes.toByteArray()).isEqualTo(data);
        assertThat(w.buffersAllocated()).isEqualTo(WriteBehind.BUFFERS);
    }

    @Test
    void aFailingWrite_isThrownToTheWriter_asItWas_andNothingIsWrittenAfterIt() throws IOException {
        IOException full = new IOException("No space left on device");
        AtomicInteger writes = new AtomicInteger();
        Noting sink = new Noting() {
            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                if (writes.incrementAndGet() == 2) {
                    throw full;
                }
                super.write(b, off, len);
            }
        };
        WriteBehind w = new WriteBehind(sink);
        byte[] data = new byte[B];
        IOException seen = null;
        try {
            for (int i = 0; i < 10; i++) {
                w.write(data);
            }
            w.flush();
        } catch (IOException e) {
            seen = e;
        }
        assertThat(seen).as("the write's own failure, from a write or the flush").isSameAs(full);
        assertThatThrownBy(w::flush).isSameAs(full);
        assertThatThrownBy(w::close).isSameAs(full);
        assertThat(sink.closed).as("closed all the same").isTrue();
        assertThat(sink.bytes.size()).as("only what came before the failure").isEqualTo(B);
        assertThat(writes.get()).isEqualTo(2);
    }

    @Test
    void forcesRunBehindTheWriting_oneAtATime_andAFailingOneIsThrownByTheFlush() throws IOException {
        AtomicInteger forces = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Noting sink = new Noting();
        WriteBehind w = new WriteBehind(sink, () -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            forces.incrementAndGet();
            running.decrementAndGet();
        }, 2L * B);
        byte[] data = new byte[B];
        for (int i = 0; i < 40; i++) {
            w.write(data);
        }
        w.flush();
        assertThat(forces.get()).as("forced behind, at most once per two buffers").isBetween(1, 20);
        assertThat(mostAtOnce.get()).isEqualTo(1);
        assertThat(sink.threads).allMatch(t -> t.startsWith("midang-behind-"));

        IOException eio = new IOException("Input/output error");
        Noting sink2 = new Noting();
        WriteBehind failing = new WriteBehind(sink2, () -> {
            throw eio;
        }, B);
        failing.write(data); // handed over: written, then its force starts (and fails) behind
        assertThatThrownBy(failing::flush).as("a force behind's failure is never lost: Linux reports it once").isSameAs(eio);
        assertThatThrownBy(failing::close).isSameAs(eio);
    }

    @Test
    void aForceBehindStillRunning_isAwaitedByTheFlush() throws IOException {
        CountDownLatch forceMayEnd = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        Noting sink = new Noting();
        WriteBehind w = new WriteBehind(sink, () -> {
            try {
                forceMayEnd.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            ended.incrementAndGet();
        }, B);
        w.write(new byte[B]); // handed over: written, then a force starts and waits
        Thread releaser = Thread.ofPlatform().start(() -> {
            while (sink.threads.isEmpty()) {
                Thread.onSpinWait();
            }
            forceMayEnd.countDown();
        });
        w.flush();
        assertThat(ended.get()).as("the flush returned only after the force ended").isEqualTo(1);
        w.close();
        try {
            releaser.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
