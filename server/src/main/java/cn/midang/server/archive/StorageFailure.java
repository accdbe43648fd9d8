package cn.midang.server.archive;

import java.io.IOException;

/**
 * The archive's own storage failed while a blob was written, forced or named (the disk, not what
 * was being stored): an upload that meets it is the server's failure ({@code internal}, or
 * {@code insufficient_storage} when the disk was full), never the package's ({@code tampered_package}).
 */
public final class StorageFailure extends IOException {

    StorageFailure(String what, IOException cause) {
        super(what + ": " + cause.getMessage(), cause);
    }

    /** Whether {@code e} or one of its causes is a failure of the archive's storage. */
    public static boolean in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageFailure) {
                return true;
            }
        }
        return false;
    }
}
