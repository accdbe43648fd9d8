/**
 * The transparency log's shared parts (SPEC C7), used by the server that grows the log and by
 * every client and witness that checks it: the RFC 9162 Merkle tree over a {@link TreeHasher}
 * (SM3 in use, SHA-256 for the standard's test vectors), inclusion and consistency proofs made
 * from and checked against {@link MerkleTree}, the C2SP {@code tlog-tiles} layout ({@link Tiles}),
 * and the C2SP signed-note formats of checkpoints and cosignatures ({@link Note}, {@link TreeHead},
 * {@link NoteKey}) with SM2 signatures.
 */
package cn.midang.keys.tlog;
