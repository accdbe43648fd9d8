/**
 * The transparency log (SPEC C7): every statement the archive attests — receipts, lifecycle
 * steps, sign-offs, published results, audit checkpoints — is committed to in the transaction
 * that records it ({@link TransparencyLog#add}), sequenced into an SM3 Merkle tree in padded
 * rounds, and covered by server-signed checkpoints that witnesses cosign. It owns the
 * {@code log_*} tables; the tree's formats and proofs are {@code cn.midang.keys.tlog}'s.
 */
package cn.midang.server.tlog;
