/**
 * The archive at rest: stored packages in a {@link cn.midang.server.archive.BlobStore}. What is
 * stored is the uploader's sealed package (SM4-GCM, content key wrapped to the archive's SM2 key),
 * never plaintext (rule C4). Writes are staged, forced to disk and renamed.
 */
package cn.midang.server.archive;
