package cn.midang.keys.pki;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.Pem;
import cn.midang.keys.io.SafeFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * An X.509 certificate of the deployment PKI: an SM2 public key bound to a holder, whose
 * subject carries a common name ({@code CN}), an organisation ({@code O}) and a Midang role
 * ({@code OU}).
 *
 * <p>Immutable. Two certificates are equal when their DER encodings are equal. A
 * {@code Certificate} says nothing about trust: use {@link ChainValidator} for that.
 */
public final class Certificate {

    static final String PEM_TYPE = "CERTIFICATE";

    static {
        PkiAccess.install();
    }

    private final X509CertificateHolder holder;
    private final byte[] der;

    Certificate(X509CertificateHolder holder) {
        this.holder = holder;
        try {
            this.der = holder.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** Parses a certificate from PEM or DER bytes. */
    public static Certificate parse(byte[] pemOrDer) throws KeysException {
        byte[] der = Pem.decode(PEM_TYPE, pemOrDer, "the certificate");
        try {
            return new Certificate(new X509CertificateHolder(der));
        } catch (IOException | RuntimeException e) {
            throw new KeysException(Reason.MALFORMED, "the certificate is not a valid X.509 certificate", e);
        }
    }

    /** Reads a certificate file (PEM or DER). */
    public static Certificate read(Path file) throws KeysException {
        return parse(SafeFiles.read(file, "certificate"));
    }

    public String toPem() {
        return Pem.encode(PEM_TYPE, der);
    }

    /** Writes the certificate as PEM, atomically. */
    public void writePem(Path file) throws KeysException {
        SafeFiles.writeAtomically(file, toPem().getBytes(StandardCharsets.US_ASCII), false);
    }

    public byte[] der() {
        return der.clone();
    }

    /** SM3 of the DER encoding, lower-case hex: the certificate's identity in logs and receipts. */
    public String fingerprint() {
        return Sm3.hex(der);
    }

    /** The serial number in lower-case hex, as {@code openssl x509 -serial} prints it (without leading zeros). */
    public String serialHex() {
        return serial().toString(16);
    }

    public BigInteger serial() {
        return holder.getSerialNumber();
    }

    public String subject() {
        return holder.getSubject().toString();
    }

    public String issuer() {
        return holder.getIssuer().toString();
    }

    public String commonName() {
        return rdn(holder.getSubject(), BCStyle.CN).orElse("");
    }

    /** The holder's organisation ({@code O}), or empty. */
    public String organisation() {
        return rdn(holder.getSubject(), BCStyle.O).orElse("");
    }

    /** The holder's Midang role ({@code OU}), or empty. */
    public String role() {
        return rdn(holder.getSubject(), BCStyle.OU).orElse("");
    }

    public Instant notBefore() {
        return holder.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return holder.getNotAfter().toInstant();
    }

    /** True when this is a CA certificate (basic constraints cA = true). */
    public boolean isCa() {
        BasicConstraints bc = BasicConstraints.fromExtensions(holder.getExtensions());
        return bc != null && bc.isCA();
    }

    /** True when both certificates certify the same public key. */
    public boolean samePublicKey(Certificate other) {
        return holder.getSubjectPublicKeyInfo().equals(other.holder.getSubjectPublicKeyInfo());
    }

    /** The DER SubjectPublicKeyInfo of the certified key (what note key IDs are computed over). */
    public byte[] publicKeyInfo() {
        try {
            return holder.getSubjectPublicKeyInfo().getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot encode a parsed public key", e);
        }
    }

    /** Internal: the Bouncy Castle holder. Not for use outside {@code keys}. */
    X509CertificateHolder holder() {
        return holder;
    }

    private static Optional<String> rdn(X500Name name, ASN1ObjectIdentifier type) {
        RDN[] rdns = name.getRDNs(type);
        if (rdns.length == 0) {
            return Optional.empty();
        }
        ASN1Encodable v = rdns[0].getFirst().getValue();
        return Optional.of(v instanceof ASN1String str ? str.getString() : IETFUtils.valueToString(v));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Certificate c && Arrays.equals(der, c.der);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(der);
    }

    @Override
    public String toString() {
        return subject() + " (serial " + serialHex() + ", SM3 " + HexFormat.of().formatHex(Sm3.digest(der), 0, 8) + "…)";
    }
}
