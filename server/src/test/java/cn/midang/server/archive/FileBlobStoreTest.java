package cn.midang.server.archive;

import java.nio.file.Path;

/** {@link BlobStoreContract} on local files. */
class FileBlobStoreTest extends BlobStoreContract {

    @Override
    BlobStore open(Path local) throws Exception {
        return new FileBlobStore(local);
    }

    @Override
    BlobStore open(Path local, BlobStore previous) throws Exception {
        return new FileBlobStore(local);
    }
}
