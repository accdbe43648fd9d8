/**
 * Search (SPEC §5, C4): the index of extracted text. {@link cn.midang.server.search.EncryptedDirectory}
 * keeps every index file encrypted at rest (SM4-CTR, one random IV per file, the key sealed to the
 * archive key). The index is derived data: it can be deleted and rebuilt from the archive, so it
 * carries no integrity of its own beyond Lucene's checksums (see docs/CRYPTO.md). This package must
 * never write index bytes to disk except through the encrypting directory.
 */
package cn.midang.server.search;
