package cn.midang.server.archive;

import cn.midang.server.config.ServerConfig.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects of an S3-compatible store ({@code blobs.url = s3://BUCKET?endpoint=…}), named
 * {@code PREFIX<32 hex>}. A blob is staged in a local file (so an upload streams at disk speed
 * whatever the network does, and nothing half-sent is ever visible in the bucket), then put whole:
 * S3 makes an object visible only when the PUT has stored all of it, durably, and replaces an
 * existing one atomically — the two guarantees {@link FileBlobStore} gets from fsync and rename.
 * The store's own errors become {@link IOException}s, so a failed PUT is a failed upload, as a full
 * disk is for files.
 */
public final class S3BlobStore implements BlobStore {

    private static final Pattern NAME = Pattern.compile("[0-9a-f]{32}");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final LocalStaging staging;

    private S3BlobStore(S3Client s3, String bucket, String prefix, LocalStaging staging) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.staging = staging;
    }

    /**
     * Connects to {@code store} and checks that its bucket can be reached with the credentials
     * given; uploads are staged in {@code localRoot/tmp}.
     */
    public static S3BlobStore open(ObjectStore store, Path localRoot) throws IOException {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(store.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(store.accessKeyId(), store.secretAccessKey())))
                .forcePathStyle(store.endpoint().isPresent())
                // The SDK's default (since 2.30) adds a CRC trailer in aws-chunked encoding, which many
                // S3-compatible stores do not take; a package carries its own SM3 and GCM tags anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        store.endpoint().ifPresent(b::endpointOverride);
        S3Client s3 = b.build();
        S3BlobStore blobs = new S3BlobStore(s3, store.bucket(), store.prefix(), new LocalStaging(localRoot.resolve("tmp")));
        try {
            s3.headBucket(r -> r.bucket(store.bucket()));
        } catch (SdkException e) {
            s3.close();
            throw new IOException("the object store's bucket \"" + store.bucket() + "\" at "
                    + store.endpoint().map(Object::toString).orElse("AWS (" + store.region() + ")")
                    + " cannot be used: " + reason(e) + " (it must exist beforehand, and AWS_ACCESS_KEY_ID / "
                    + "AWS_SECRET_ACCESS_KEY must be allowed to read and write it)", e);
        }
        return blobs;
    }

    private String key(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a blob name");
        }
        return prefix + name;
    }

    @Override
    public Staged stage() throws IOException {
        return staged(null);
    }

    @Override
    public Staged replacing(String name) throws IOException {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key(name)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(name, null, "no such blob to replace");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(name, null, "no such blob to replace");
            }
            throw failure("looking up", name, e);
        } catch (SdkException e) {
            throw failure("looking up", name, e);
        }
        return staged(name);
    }

    @Override
    public Staged importing(String name) throws IOException {
        key(name); // a blob name, or refused
        return staged(name);
    }

    private Staged staged(String replaced) throws IOException {
        return staging.stage(replaced, (file, channel, name) -> {
            channel.close();
            String key = key(name);
            try {
                s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/octet-stream"), RequestBody.fromFile(file));
            } catch (SdkException e) {
                throw failure("storing", name, e);
            }
        });
    }

    @Override
    public InputStream open(String name) throws IOException {
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key(name)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(name, null, "no such blob");
        } catch (SdkException e) {
            throw failure("reading", name, e);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key(name)));
        } catch (SdkException e) {
            throw failure("deleting", name, e);
        }
    }

    @Override
    public java.time.Instant modified(String name) throws IOException {
        try {
            return s3.headObject(r -> r.bucket(bucket).key(key(name))).lastModified();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(name, null, "no such blob");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(name, null, "no such blob");
            }
            throw failure("looking up", name, e);
        } catch (SdkException e) {
            throw failure("looking up", name, e);
        }
    }

    @Override
    public Set<String> names() throws IOException {
        Set<String> names = new HashSet<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
                String n = o.key().substring(prefix.length());
                if (NAME.matcher(n).matches()) {
                    names.add(n);
                }
            }
        } catch (SdkException e) {
            throw new IOException("listing the blobs in bucket \"" + bucket + "\": " + reason(e), e);
        }
        return names;
    }

    @Override
    public long usableSpace() throws IOException {
        return staging.usableSpace();
    }

    @Override
    public int sweepStaged() throws IOException {
        return staging.sweep();
    }

    @Override
    public void close() {
        s3.close();
    }

    private IOException failure(String doing, String name, SdkException e) {
        return new IOException(doing + " blob " + name + " in bucket \"" + bucket + "\": " + reason(e), e);
    }

    /** The store's own words, without the request ids the SDK appends. */
    private static String reason(SdkException e) {
        if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
            return s.statusCode() + " " + s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }
}
