package cn.midang.cli.net;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * Told how a long transfer advances: an upload, sealed as it is sent, from its start with the
 * file's size to its finish, in bytes of the file read. The client library reports; the command
 * decides how to show it (a progress bar on a terminal, nothing otherwise).
 */
public interface Progress {

    Progress NONE = new Progress() {
        @Override
        public void start(long total) {}

        @Override
        public void advancedTo(long bytes) {}

        @Override
        public void finish() {}
    };

    /**
     * The transfer starts: {@code total} bytes to go. Called once per transfer; if the body is resent,
     * {@link #advancedTo} counts from zero again instead.
     */
    void start(long total);

    void advancedTo(long bytes);

    /** The transfer ended (successfully or not). */
    void finish();

    /** {@code in}, reporting the bytes read so far. */
    static InputStream counting(InputStream in, Progress p) {
        return new FilterInputStream(in) {
            private long n;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    p.advancedTo(++n);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int r = super.read(buf, off, len);
                if (r > 0) {
                    n += r;
                    p.advancedTo(n);
                }
                return r;
            }
        };
    }

    /** {@code inner}, reporting the bytes handed to the connection so far (restarting if the body is resent). */
    static HttpRequest.BodyPublisher counting(HttpRequest.BodyPublisher inner, Progress p) {
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return inner.contentLength();
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> downstream) {
                inner.subscribe(new Flow.Subscriber<ByteBuffer>() {
                    private long n;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        downstream.onSubscribe(s);
                    }

                    @Override
                    public void onNext(ByteBuffer item) {
                        n += item.remaining();
                        p.advancedTo(n);
                        downstream.onNext(item);
                    }

                    @Override
                    public void onError(Throwable t) {
                        downstream.onError(t);
                    }

                    @Override
                    public void onComplete() {
                        downstream.onComplete();
                    }
                });
            }
        };
    }
}
