package cn.midang.server.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pipe protocol between the server and its extractor children. */
class FramesTest {

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void documentsFollowEachOther_andAReaderThatStopsEarlyDrainsTheRest() throws Exception {
        byte[] first = random(3 * Frames.CHUNK + 17, 1);
        byte[] second = random(10, 2);
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(pipe);
        for (byte[] doc : new byte[][] {first, second}) {
            try (Frames.ChunkOutput c = new Frames.ChunkOutput(out)) {
                c.write(doc, 0, 5);
                c.write(doc[5]);
                c.write(doc, 6, doc.length - 6);
            }
        }
        Frames.writeStatus(out, "fail line one\nline two");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(pipe.toByteArray()));
        Frames.ChunkInput a = new Frames.ChunkInput(in);
        byte[] head = a.readNBytes(100);
        assertThat(head).isEqualTo(Arrays.copyOf(first, 100));
        a.drain();
        assertThat(new Frames.ChunkInput(in).readAllBytes()).isEqualTo(second);
        assertThat(in.readUTF()).isEqualTo("fail line one line two");
    }

    /** A feed stopped mid-document refuses the next write, and what went before still ends with a whole end mark. */
    @Test
    void aStoppedFeed_refusesTheNextWrite_andTheDocumentStillEndsProperly() throws Exception {
        byte[] doc = random(Frames.CHUNK + 100, 4);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(pipe);
        try (Frames.ChunkOutput c = new Frames.ChunkOutput(out)) {
            Frames.Stoppable feed = new Frames.Stoppable(c, stop);
            feed.write(doc, 0, 1000);
            stop.set(true);
            assertThatThrownBy(() -> feed.write(doc, 1000, doc.length - 1000)).hasMessageContaining("needs no more");
            assertThatThrownBy(() -> feed.write(1)).hasMessageContaining("needs no more");
        }
        Frames.writeStatus(out, "next");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(pipe.toByteArray()));
        assertThat(new Frames.ChunkInput(in).readAllBytes()).isEqualTo(Arrays.copyOf(doc, 1000));
        assertThat(in.readUTF()).isEqualTo("next");
    }

    @Test
    void aStreamCutInsideAChunk_isAnError_notAShortDocument() throws Exception {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        try (Frames.ChunkOutput c = new Frames.ChunkOutput(new DataOutputStream(pipe))) {
            c.write(random(1000, 3));
        }
        byte[] cut = Arrays.copyOf(pipe.toByteArray(), 500);
        assertThatThrownBy(() -> new Frames.ChunkInput(new DataInputStream(new ByteArrayInputStream(cut))).readAllBytes())
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> {
            Frames.ChunkInput in = new Frames.ChunkInput(new DataInputStream(new ByteArrayInputStream(cut)));
            while (in.read() >= 0) {
                // one byte at a time
            }
        }).isInstanceOf(EOFException.class);
    }

    @Test
    void aLongStatus_isCutAfterItsLinesAreJoined() throws Exception {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        Frames.writeStatus(new DataOutputStream(pipe), "fail " + "x\n".repeat(3000));
        String s = new DataInputStream(new ByteArrayInputStream(pipe.toByteArray())).readUTF();
        assertThat(s).hasSize(2000).doesNotContain("\n");
    }
}
