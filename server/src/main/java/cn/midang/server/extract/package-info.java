/**
 * Text extraction (SPEC §5): Apache Tika parses each document in a separate JVM with a heap
 * cap, a kill timeout, a write limit on extracted characters, limits on embedded documents, the
 * streaming (SAX) OOXML extractors and a memory cap for PDFs. The plaintext reaches the child
 * through a pipe, never through a file of ours; the child's temporary folder is private, on
 * {@code /dev/shm} when there is one, and deleted afterwards; core dumps are off. A document that
 * cannot be parsed yields a reason, never an exception that stops the server. This package must
 * never parse untrusted bytes inside the server's own JVM.
 */
package cn.midang.server.extract;
